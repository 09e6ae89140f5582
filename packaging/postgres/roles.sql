-- makeR Soporte: the application's least-privilege login on a team PostgreSQL database.
--
-- Run it as the database's OWNER (the role that ran `makersupport db upgrade`), after every
-- upgrade (a new table gets its grants only then; until then the application is refused it):
--
--   psql "host=db.oficina dbname=makersupport user=makersupport_owner sslmode=verify-full sslrootcert=/etc/makersupport/ca.pem" \
--        -v app=makersupport_app -f packaging/postgres/roles.sql
--
-- `app` is the application's login (default makersupport_app). If it does not exist it is created
-- without a password (the owner then needs CREATEROLE); give it one with `\password makersupport_app`
-- in psql, which sends it hashed, never on a command line.
--
-- The login may read and write the desk's tables, but on the audit log only read and append
-- (R18: no UPDATE, DELETE or TRUNCATE; the triggers of migration 0008 refuse those to the owner
-- as well). It owns nothing, so it can change no table's structure, run no migration (it only reads
-- alembic_version), lift no trigger, and cannot erase the demo data (`demo --reset`) or restore a
-- backup over the database: those are the owner's jobs.

\set ON_ERROR_STOP on
\if :{?app}
\else
  \set app makersupport_app
\endif

BEGIN;

-- psql variables are not expanded inside the DO blocks below; they read it from here.
SELECT set_config('makersupport.app_login', :'app', true);

DO $$
DECLARE
    app text := current_setting('makersupport.app_login');
    owner_oid oid;
BEGIN
    SELECT relowner INTO owner_oid FROM pg_class
     WHERE oid = to_regclass('public.audit_log') AND relkind = 'r';
    IF owner_oid IS NULL THEN
        RAISE EXCEPTION 'this database has no makeR Soporte schema yet'
            USING HINT = 'Run `makersupport db upgrade --db postgresql+psycopg://OWNER@HOST/DATABASE` first.';
    END IF;
    IF NOT pg_has_role(current_user, owner_oid, 'USAGE') THEN
        RAISE EXCEPTION 'run this script as the owner of the makeR Soporte tables (%), not as %',
            pg_get_userbyid(owner_oid), current_user;
    END IF;
    IF app = current_user OR app = pg_get_userbyid(owner_oid) THEN
        RAISE EXCEPTION 'the application login must not be the owner (%)', app
            USING HINT = 'Give another name: psql -v app=makersupport_app …';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = app) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', app);
        RAISE NOTICE 'login % created without a password: set one with \password %', app, app;
    END IF;
    IF (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = app) THEN
        RAISE EXCEPTION 'the login % is a superuser: the database cannot hold it to anything', app;
    END IF;
    IF pg_has_role(app, owner_oid, 'USAGE') THEN
        RAISE EXCEPTION 'the login % has the owner''s rights (it is a member of %): revoke that membership',
            app, pg_get_userbyid(owner_oid);
    END IF;
END
$$;

-- Start from nothing on every table and sequence, so running the script again after an upgrade
-- (or after a grant made by hand) always leaves exactly what follows.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"app";
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM :"app";

GRANT CONNECT ON DATABASE :"DBNAME" TO :"app";
GRANT USAGE ON SCHEMA public TO :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
-- The audit log: read and append only.
REVOKE UPDATE, DELETE ON audit_log FROM :"app";
-- The schema version: only the owner migrates.
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM :"app";
-- New ids (USAGE: nextval) and the sequences' state for pg_dump (SELECT): backups made from a desk.
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";

-- No DDL: PostgreSQL 15 and later let no one but the owner create tables in schema public; an
-- older server still lets everyone, which the script cannot change unless the owner owns public.
DO $$
DECLARE
    app text := current_setting('makersupport.app_login');
BEGIN
    IF has_schema_privilege(app, 'public', 'CREATE') THEN
        IF pg_has_role(current_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'public'), 'USAGE') THEN
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
        END IF;
        IF has_schema_privilege(app, 'public', 'CREATE') THEN
            RAISE EXCEPTION 'the login % may create tables in schema public', app
                USING HINT = 'As the server''s administrator: REVOKE CREATE ON SCHEMA public FROM PUBLIC; (and from the login)';
        END IF;
    END IF;
    IF has_database_privilege(app, current_database(), 'CREATE') THEN
        RAISE EXCEPTION 'the login % may create schemas in this database', app
            USING HINT = 'As the server''s administrator: REVOKE CREATE ON DATABASE … FROM PUBLIC and from the login';
    END IF;
END
$$;

COMMIT;

\echo 'Grants for the application login are in place:' :'app'
