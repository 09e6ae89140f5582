// The label page (/soporte/m/<SERIAL>): reads the serial from the address and puts it in the mail's
// subject. What the address holds is only ever shown as text (textContent), never parsed as HTML.
'use strict';
(function () {
  var PREFIX = '/soporte/m/';
  // domain/qr.py: 3 to 40 of A-Z, 0-9, "-" and "_", starting with a letter or digit.
  var SERIAL = /^[A-Z0-9][A-Z0-9_-]{2,39}$/;

  function serialFromPath(path) {
    if (path.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return { serial: null, reason: 'none' };
    var rest = path.slice(PREFIX.length).replace(/\/+$/, '');
    if (rest === '' || rest === 'index.html') return { serial: null, reason: 'none' };
    if (rest.length > 200) return { serial: null, reason: 'invalid' };
    var text;
    try {
      text = decodeURIComponent(rest);
    } catch (e) {
      return { serial: null, reason: 'invalid' };
    }
    text = text.trim().toUpperCase();
    return SERIAL.test(text) ? { serial: text, reason: '' } : { serial: null, reason: 'invalid' };
  }

  function mailto(address, subject, body) {
    return 'mailto:' + encodeURIComponent(address).replace('%40', '@') +
      '?subject=' + encodeURIComponent(subject) +
      '&body=' + encodeURIComponent(body.replace(/\n/g, '\r\n'));
  }

  function main() {
    var data = document.body.dataset;
    var found = serialFromPath(window.location.pathname);
    var link = document.getElementById('escribir');
    if (found.serial) {
      document.getElementById('serial').textContent = found.serial;
      document.getElementById('con-serial').hidden = false;
      document.getElementById('sin-serial').hidden = true;
      link.href = mailto(data.email, data.subject.replace('{serial}', found.serial), data.body.replace('{serial}', found.serial));
      document.title = 'Soporte técnico · ' + found.serial + ' · makeR';
    } else {
      if (found.reason === 'invalid') {
        document.getElementById('sin-serial-texto').textContent =
          'La dirección no trae un serial de máquina reconocible (un serial tiene de 3 a 40 letras, números, guiones o guiones bajos). ' +
          'Escriba en su correo el serial que aparece en la etiqueta de la máquina, junto al código QR.';
      }
      link.href = mailto(data.email, data.subjectPlain, data.body.replace('{serial}', ''));
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', main);
  } else {
    main();
  }
})();
