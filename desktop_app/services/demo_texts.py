"""The demo's words: the problems customers report, and what agents and customers answer.

Shared by the live queue (services/demo.py) and the closed history (services/demo_history.py).
"""

from __future__ import annotations

from desktop_app.domain.model import Technology

PROBLEMS = {
    Technology.FDM: (
        "La impresora se detuvo a mitad de la impresión y muestra error de temperatura en el extrusor.",
        "Las primeras capas no se adhieren a la cama; ya nivelamos dos veces sin mejora.",
        "El extrusor hace clic y no sale filamento; cambiamos el rollo de PLA y sigue igual.",
        "La cama caliente no pasa de 45 °C y la pantalla muestra 'thermal runaway'.",
        "Las piezas salen con desplazamiento de capas en el eje X a partir de los 3 cm.",
        "La pantalla táctil no responde después de la actualización de firmware.",
        "Ruido fuerte en el motor del eje Z al iniciar el homing.",
        "El sensor de filamento detecta falta de material aunque el rollo está lleno.",
        "Consulta sobre perfiles de laminado para PETG en piezas mecánicas.",
        "El ventilador de capa no enciende y las piezas salen deformadas en voladizos.",
    ),
    Technology.RESIN: (
        "La impresora de resina se detuvo a mitad del trabajo con error de comunicación con la pantalla LCD.",
        "Las piezas quedan pegadas al FEP y no a la plataforma de construcción.",
        "Aparecen líneas horizontales en todas las piezas impresas en resina gris.",
        "La pantalla LCD muestra píxeles muertos en una esquina.",
        "Olor a quemado y la lámpara UV se apaga a los pocos minutos.",
        "Consulta sobre tiempos de curado para resina dental biocompatible.",
        "El eje Z no baja hasta el fondo de la cubeta después de cambiar el FEP.",
    ),
}

UPDATES = (
    "Se envió al cliente el avance del diagnóstico; seguimos revisando.",
    "Repuesto en camino; se informa al cliente la fecha estimada de llegada.",
    "Se programó una nueva sesión remota con el cliente.",
    "El cliente confirma que aplicó el ajuste; seguimos monitoreando.",
)

SOLUTIONS = (
    "Se reemplazó el termistor del extrusor; la impresora quedó operando. Cliente confirma.",
    "Se guió al cliente en la calibración del offset Z y la limpieza de la cama con alcohol isopropílico.",
    "Se enviaron los perfiles recomendados y el instructivo de mantenimiento preventivo.",
    "Se actualizó el firmware a la versión 2.4.1 por sesión remota; el problema no se repite.",
    "Se cambió el FEP y se explicó el procedimiento de nivelación de la plataforma.",
)

COMMENTS = (
    "Se solicitaron fotos de la pieza fallida y del panel de control.",
    "Cliente envía video del ruido; se revisa con el equipo técnico.",
    "Se programa sesión remota por TeamViewer para revisar configuración.",
    "Se confirma que el equipo está dentro de garantía.",
    "Se envía guía de diagnóstico paso a paso por correo.",
    "Repuesto solicitado a bodega Barranquilla.",
)

# -- the history's own words (services/demo_history.py) -------------------------------------------

INFO_REQUESTS = (
    "Para avanzar necesitamos acceso por TeamViewer al computador conectado a la impresora.",
    "Por favor envíen fotos de la boquilla y de la cama, y el archivo .gcode de la pieza.",
    "Necesitamos un video corto del ruido durante el homing para continuar el diagnóstico.",
    "Por favor confirmen la versión de firmware que aparece en la pantalla de información.",
)

CUSTOMER_REPLIES = (
    "Adjuntamos las fotos y el archivo solicitado.",
    "Ya instalamos TeamViewer; les enviamos el ID y la clave por correo.",
    "Enviamos el video; el ruido aparece al subir el eje Z.",
    "La versión de firmware es 2.3.9.",
)

REOPENINGS = (
    "El problema volvió a presentarse esta mañana, por favor revisar.",
    "La falla regresó después de dos días de uso normal.",
)

OUT_OF_SCOPE = (
    "Falla causada por modificación de terceros; fuera del alcance del soporte.",
    "La consulta es sobre un equipo de otra marca; fuera del alcance del soporte.",
)

VISIT_WORK = (
    "Mantenimiento preventivo: limpieza de ejes, lubricación y calibración de la cama.",
    "Cambio de termistor y hotend; pruebas de impresión con PLA y PETG.",
    "Diagnóstico en sitio de la tarjeta principal; se reemplazó el cable plano del extrusor.",
    "Mantenimiento correctivo del eje Z y nivelación de la plataforma de resina.",
)
