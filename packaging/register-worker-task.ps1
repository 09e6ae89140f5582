<#
.SYNOPSIS
    Registers the makeR Soporte worker as a Windows scheduled task: the desk's periodic jobs (the
    R11 escalation round, reminders, the daily backup of the embedded database) with no window open.

.DESCRIPTION
    The task starts `makersupport.exe worker` when the computer starts, as the current user, and
    restarts it when it stops with an error. The worker writes its log to worker.log in the
    user's makeR Soporte data folder (the frozen program has no console).

    Any number of workers and open windows may share one database: each job runs in one place at
    a time (a PostgreSQL advisory lock, or a lock file beside the SQLite file). Ending the task
    stops the worker at once; every job is idempotent, so the next round finishes the work.

    Run from a PowerShell opened as administrator (a task that runs at start-up needs it):
        powershell -ExecutionPolicy Bypass -File packaging\register-worker-task.ps1 -ServiceUser tareas
        powershell -ExecutionPolicy Bypass -File packaging\register-worker-task.ps1 -ServiceUser tareas -Program "D:\Apps\makeR Soporte\makersupport.exe"
    Remove it:
        Unregister-ScheduledTask -TaskName "makeR Soporte worker" -Confirm:$false

.PARAMETER Program
    The makersupport.exe of the installed program.

.PARAMETER ServiceUser
    The service account the worker signs in as (an administrator creates it in Users, role
    "cuenta de servicio"; it may run the periodic jobs and nothing else). The script asks for its
    password and keeps both in this Windows user's environment (MAKERSUPPORT_USER,
    MAKERSUPPORT_PASSWORD), which only this user and administrators can read; never in the task's
    arguments, which any user can list.

.PARAMETER Database
    A database URL for the worker (--db). Without it the worker uses the same database as the
    window on this account: the team connection saved from the window, or the local SQLite file.
    Put no password in this URL. A task that runs while nobody is signed in (S4U) cannot read the
    Windows credential manager, so give a team server's password in libpq's password file,
    %APPDATA%\postgresql\pgpass.conf (host:port:database:user:password), readable by this user only.
#>
param(
    [string]$Program = "$env:ProgramFiles\makeR Soporte\makersupport.exe",
    [string]$Database = "",
    [Parameter(Mandatory = $true)][string]$ServiceUser,
    [string]$TaskName = "makeR Soporte worker"
)
$ErrorActionPreference = "Stop"

if (-not (Test-Path -LiteralPath $Program)) {
    throw "makersupport.exe not found at '$Program'; pass -Program with its path."
}
$secret = Read-Host -AsSecureString "Password of the service account $ServiceUser"
$plain = [Runtime.InteropServices.Marshal]::PtrToStringBSTR([Runtime.InteropServices.Marshal]::SecureStringToBSTR($secret))
[Environment]::SetEnvironmentVariable("MAKERSUPPORT_USER", $ServiceUser, "User")
[Environment]::SetEnvironmentVariable("MAKERSUPPORT_PASSWORD", $plain, "User")
$plain = $null

# The same data folder the program uses (platformdirs: %LOCALAPPDATA%\3DmakeR\makersupport).
$log = Join-Path $env:LOCALAPPDATA "3DmakeR\makersupport\worker.log"
$arguments = "worker --log `"$log`""
if ($Database) { $arguments += " --db `"$Database`"" }

$action = New-ScheduledTaskAction -Execute $Program -Argument $arguments
$trigger = New-ScheduledTaskTrigger -AtStartup
# S4U: runs whether or not the user is signed in, without storing the user's password.
$principal = New-ScheduledTaskPrincipal -UserId "$env:USERDOMAIN\$env:USERNAME" -LogonType S4U -RunLevel Limited
$settings = New-ScheduledTaskSettingsSet `
    -ExecutionTimeLimit ([TimeSpan]::Zero) `
    -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) `
    -MultipleInstances IgnoreNew `
    -StartWhenAvailable `
    -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries

Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Principal $principal `
    -Settings $settings -Description "makeR Soporte: escalation round, reminders and backups with no window open" `
    -Force | Out-Null
Start-ScheduledTask -TaskName $TaskName
Write-Host "Registered and started '$TaskName'. Log: $log"
