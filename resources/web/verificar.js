// The certificate verifier (/soporte/c/<key id>.<facts>.<signature>), run entirely in the visitor's browser.
//
// The code is the one desktop_app/domain/certificate.py writes: three base64url parts without padding,
// the 8-byte key id (first bytes of the SHA-256 of the raw Ed25519 public key), the facts (compact JSON,
// zlib-deflated: DecompressionStream('deflate')) and the 64-byte Ed25519 signature of the facts' bytes.
// The keys and the signed list of revoked certificates come from this site (/soporte/datos/).
//
// Rules: the verdict "válido" is given in one place only, after the signature, the facts, the revocation
// list's own signature and the dates all checked out; anything the page could not check says so instead.
// Nothing read from the address or typed is ever parsed as HTML: it is shown with textContent.
'use strict';
(function () {
  var PATH_PREFIX = '/soporte/c/';
  var URL_PREFIXES = ['https://somosmaker.com/soporte/c/', 'https://www.somosmaker.com/soporte/c/',
    'http://somosmaker.com/soporte/c/', 'http://www.somosmaker.com/soporte/c/'];
  var MAX_CODE = 4096; // characters: a printed certificate QR holds at most 850
  var MAX_FACTS = 64 * 1024; // bytes of inflated facts, as domain/certificate.MAX_FACTS_BYTES
  var CODE_CHARS = /^[A-Za-z0-9_.-]*$/;
  var B64URL = /^[A-Za-z0-9_-]+$/;
  var ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
  var MONTHS = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre',
    'octubre', 'noviembre', 'diciembre'];

  var VERDICTS = {
    valid: ['Válido', 'ok'],
    expired: ['Vencido', 'warn'],
    not_yet_valid: ['Aún no vigente', 'warn'],
    revoked: ['Revocado', 'bad'],
    altered: ['Alterado', 'bad'],
    unknown_key: ['Clave no reconocida', 'bad'],
    malformed: ['Código dañado', 'bad'],
    unreadable: ['Contenido ilegible', 'info'],
    unchecked: ['No se pudo verificar', 'bad'],
    unsupported: ['No se pudo verificar', 'info'],
    empty: ['Sin código', 'info'],
    pending: ['Verificando…', 'info']
  };

  // A problem with the input itself, worded for the visitor.
  function Problem(message) {
    this.message = message;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function show(verdict, detail) {
    var box = $('veredicto');
    box.dataset.verdict = verdict;
    box.dataset.tone = VERDICTS[verdict][1];
    $('veredicto-palabra').textContent = VERDICTS[verdict][0];
    $('veredicto-detalle').textContent = detail;
  }

  function b64decode(text, what) {
    if (!B64URL.test(text) || text.length % 4 === 1) {
      throw new Problem('La parte del código que lleva ' + what + ' no se puede decodificar: el texto está dañado o mal copiado.');
    }
    var standard = text.replace(/-/g, '+').replace(/_/g, '/');
    while (standard.length % 4) standard += '=';
    var binary;
    try {
      binary = atob(standard);
    } catch (e) {
      throw new Problem('La parte del código que lleva ' + what + ' no se puede decodificar: el texto está dañado o mal copiado.');
    }
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function hex(bytes) {
    var out = '';
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return out;
  }

  function parseCode(code) {
    if (code.length > MAX_CODE) {
      throw new Problem('El código es demasiado largo para ser un certificado de makeR (' + code.length +
        ' caracteres; un certificado tiene menos de 900).');
    }
    if (!CODE_CHARS.test(code)) {
      throw new Problem('El código tiene caracteres que un certificado de makeR no lleva: está dañado o no es un certificado.');
    }
    var parts = code.split('.');
    if (parts.length > 3) {
      throw new Problem('El código tiene más partes de las que lleva un certificado de makeR.');
    }
    if (parts.length < 3 || parts.some(function (p) { return p === ''; })) {
      throw new Problem('El código está incompleto: le faltan partes. ¿Se cortó al copiarlo o al escanearlo?');
    }
    var keyId = b64decode(parts[0], 'la clave');
    var payload = b64decode(parts[1], 'los datos');
    var signature = b64decode(parts[2], 'la firma');
    if (keyId.length !== 8) {
      throw new Problem('La identificación de la clave del código está dañada (tiene ' + keyId.length + ' bytes; lleva 8).');
    }
    if (signature.length !== 64) {
      throw new Problem('La firma del código está incompleta o dañada: tiene ' + signature.length +
        ' bytes y una firma tiene 64.');
    }
    return { keyId: keyId, payload: payload, signature: signature };
  }

  function codeFromPath(pathname) {
    var rest = pathname.slice(PATH_PREFIX.length).replace(/\/+$/, '');
    return rest === 'index.html' ? '' : rest;
  }

  function codeFromText(text) {
    var cleaned = text.trim();
    var lower = cleaned.toLowerCase();
    for (var i = 0; i < URL_PREFIXES.length; i++) {
      if (lower.slice(0, URL_PREFIXES[i].length) === URL_PREFIXES[i]) return cleaned.slice(URL_PREFIXES[i].length);
    }
    if (/^[a-z][a-z0-9+.-]*:/.test(lower)) {
      throw new Problem('Este enlace no es el de un certificado de makeR (esos empiezan por https://somosmaker.com/soporte/c/).');
    }
    return cleaned;
  }

  function spanishDate(iso) {
    var m = ISO_DATE.exec(iso);
    return Number(m[3]) + ' de ' + MONTHS[Number(m[2]) - 1] + ' de ' + m[1];
  }

  function todayIn(timeZone) {
    var now = new Date();
    try {
      var parts = {};
      new Intl.DateTimeFormat('en-CA', { timeZone: timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
        .formatToParts(now).forEach(function (p) { parts[p.type] = p.value; });
      return parts.year + '-' + parts.month + '-' + parts.day;
    } catch (e) {
      return new Date(now.getTime() - 5 * 3600 * 1000).toISOString().slice(0, 10); // Colombia: UTC-5 all year
    }
  }

  async function fetchJson(path) {
    var response = await fetch(path, { cache: 'no-cache', credentials: 'omit', redirect: 'error' });
    if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
    return response.json();
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  }

  // Ed25519 verification: Web Crypto's, or the vendored @noble/ed25519 (recursos/noble-ed25519.js,
  // resources/web/vendor/README.md) in a browser whose Web Crypto lacks it.
  var fallback = null;

  async function ed25519Key(raw) {
    if (fallback === null) {
      try {
        return { raw: raw, web: await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']) };
      } catch (e) {
        try {
          fallback = await import('/soporte/recursos/noble-ed25519.js');
        } catch (e2) {
          var missing = new Error('no Ed25519 in this browser');
          missing.name = 'NotSupportedError';
          throw missing;
        }
      }
    }
    return { raw: raw, web: null };
  }

  async function ed25519Verify(key, signature, message) {
    if (key.web) return crypto.subtle.verify({ name: 'Ed25519' }, key.web, signature, message);
    try {
      return await fallback.verifyAsync(signature, message, key.raw, { zip215: false });
    } catch (e) {
      return false; // a key or signature the library refuses outright does not verify
    }
  }

  // The published keys by key id (hex), each id computed here from the key itself.
  async function loadKeys() {
    var doc = await fetchJson('/soporte/datos/claves.json');
    var keys = new Map();
    if (!doc || doc.v !== 1 || !Array.isArray(doc.claves)) throw new Error('claves.json');
    for (var i = 0; i < doc.claves.length; i++) {
      var raw = b64decode(String(doc.claves[i].clave), 'la clave');
      if (raw.length !== 32) continue;
      var id = hex((await sha256(raw)).slice(0, 8));
      keys.set(id, await ed25519Key(raw));
    }
    return keys;
  }

  // { ok: true, revoked: Map(number -> ISO day), madeAt } or { ok: false, reason }.
  async function loadRevocations(keys) {
    var doc;
    try {
      doc = await fetchJson('/soporte/datos/revocaciones.json');
    } catch (e) {
      return { ok: false, reason: 'no se pudo descargar' };
    }
    try {
      if (!doc || doc.v !== 1) throw new Problem('formato');
      var keyId = b64decode(String(doc.k), 'la clave');
      var payload = b64decode(String(doc.p), 'los datos');
      var signature = b64decode(String(doc.s), 'la firma');
      var key = keys.get(hex(keyId));
      if (!key || signature.length !== 64) return { ok: false, reason: 'no está firmada por makeR' };
      if (!(await ed25519Verify(key, signature, payload))) {
        return { ok: false, reason: 'fue modificada después de firmada' };
      }
      var list = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
      if (!list || list.v !== 1 || typeof list.at !== 'string' || !Array.isArray(list.r)) throw new Problem('formato');
      var revoked = new Map();
      list.r.forEach(function (row) {
        if (!Array.isArray(row) || typeof row[0] !== 'string' || !ISO_DATE.test(String(row[1]))) throw new Problem('formato');
        revoked.set(row[0], row[1]);
      });
      return { ok: true, revoked: revoked, madeAt: list.at };
    } catch (e) {
      return { ok: false, reason: 'está dañada' };
    }
  }

  async function inflate(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    var reader = stream.getReader();
    var chunks = [];
    var total = 0;
    for (;;) {
      var step = await reader.read();
      if (step.done) break;
      total += step.value.length;
      if (total > MAX_FACTS) {
        await reader.cancel();
        throw new Error('too large');
      }
      chunks.push(step.value);
    }
    var all = new Uint8Array(total);
    var at = 0;
    chunks.forEach(function (c) { all.set(c, at); at += c.length; });
    return new TextDecoder('utf-8', { fatal: true }).decode(all);
  }

  // The facts as domain/certificate.from_payload reads them (versions 1 and 2), or an Error.
  function readFacts(text) {
    var f = JSON.parse(text);
    if (!f || typeof f !== 'object' || Array.isArray(f) || (f.v !== 1 && f.v !== 2)) throw new Error('version');
    ['n', 'c', 't', 'p', 'pn', 'f'].forEach(function (k) {
      if (typeof f[k] !== 'string') throw new Error(k);
    });
    ['a', 'b', 'i'].forEach(function (k) {
      if (typeof f[k] !== 'string' || !ISO_DATE.test(f[k])) throw new Error(k);
    });
    var counted = f.v === 2 && !('m' in f);
    if (counted) {
      if (typeof f.mn !== 'number' || typeof f.mh !== 'string') throw new Error('mn');
    } else if (!Array.isArray(f.m) || f.m.some(function (s) { return typeof s !== 'string'; })) {
      throw new Error('m');
    }
    return {
      number: f.n, customer: f.c, taxId: f.t, planName: f.pn, special: !!f.s, invoice: f.f,
      from: f.a, to: f.b, issued: f.i, machines: counted ? null : f.m, count: counted ? f.mn : f.m.length,
      digest: counted ? f.mh : '', shortened: f.v === 2
    };
  }

  function showFacts(facts) {
    $('h-numero').textContent = facts.number;
    $('h-cliente').textContent = facts.customer;
    $('h-nit').textContent = facts.taxId || '—';
    $('h-plan').textContent = facts.planName;
    $('h-tipo').textContent = facts.special ? 'Contrato especial (modelo descontinuado)' : 'Plan de soporte';
    $('h-factura').textContent = facts.invoice;
    $('h-vigencia').textContent = 'del ' + spanishDate(facts.from) + ' al ' + spanishDate(facts.to);
    $('h-expedido').textContent = spanishDate(facts.issued);
    var cell = $('h-maquinas');
    cell.textContent = '';
    if (facts.machines) {
      var list = document.createElement('ul');
      list.className = 'machines';
      facts.machines.forEach(function (serial) {
        var item = document.createElement('li');
        item.textContent = serial;
        list.appendChild(item);
      });
      cell.appendChild(document.createTextNode(facts.machines.length + (facts.machines.length === 1 ? ' máquina' : ' máquinas')));
      cell.appendChild(list);
    } else {
      cell.textContent = facts.count + ' máquinas; la página impresa las lista (huella de sus seriales: ' + facts.digest + ').';
    }
    var note = $('h-nota');
    note.hidden = !facts.shortened;
    note.textContent = facts.shortened
      ? 'Este código lleva los datos abreviados para caber en el QR (textos que terminan en «…»); la página impresa los tiene completos.'
      : '';
    $('hechos').hidden = false;
  }

  var keysPromise = null;
  var revocationsPromise = null;
  var runs = 0;

  function capable() {
    return !!(window.crypto && crypto.subtle && typeof DecompressionStream === 'function' && window.TextDecoder);
  }

  async function verify(code) {
    var run = ++runs;
    var current = function () { return run === runs; };
    $('hechos').hidden = true;
    if (code === '') {
      show('empty', 'Escanee el código QR del certificado con la cámara del teléfono, o pegue su texto abajo.');
      return;
    }
    var parsed;
    try {
      parsed = parseCode(code);
    } catch (e) {
      if (e instanceof Problem) { show('malformed', e.message); return; }
      throw e;
    }
    if (!capable()) {
      show('unsupported', 'Este navegador no puede comprobar firmas digitales en esta página. Ábrala en un navegador actualizado (Chrome, Firefox, Safari o Edge) por https.');
      return;
    }
    show('pending', 'Comprobando la firma del certificado en este navegador.');
    var keys;
    try {
      keys = await keysPromise;
    } catch (e) {
      if (!current()) return;
      if (e && e.name === 'NotSupportedError') {
        show('unsupported', 'Este navegador no sabe comprobar firmas Ed25519, las que usa makeR. Actualícelo o use otro navegador reciente.');
      } else {
        show('unchecked', 'No se pudieron cargar las claves públicas de makeR desde este sitio; intente de nuevo más tarde.');
      }
      return;
    }
    var key = keys.get(hex(parsed.keyId));
    if (!key) {
      if (current()) show('unknown_key', 'El certificado está firmado con una clave que makeR no publica: no lo expidió makeR (puede ser una falsificación).');
      return;
    }
    var genuine = await ed25519Verify(key, parsed.signature, parsed.payload);
    if (!current()) return;
    if (!genuine) {
      show('altered', 'Los datos del certificado se cambiaron después de que makeR lo firmó: no confíe en él.');
      return;
    }
    var facts;
    try {
      facts = readFacts(await inflate(parsed.payload));
    } catch (e) {
      if (current()) show('unreadable', 'El certificado está firmado por makeR, pero esta página no sabe leer su contenido (puede ser de una versión más nueva). Pida a makeR que publique de nuevo el verificador.');
      return;
    }
    var revocations = await revocationsPromise;
    if (!current()) return;
    showFacts(facts);
    if (!revocations.ok) {
      show('unchecked', 'La firma del certificado es de makeR, pero no se pudo comprobar si fue revocado: la lista de certificados revocados publicada en este sitio ' +
        revocations.reason + '. No lo dé por vigente hasta consultarlo con makeR.');
      return;
    }
    var revokedOn = revocations.revoked.get(facts.number);
    if (revokedOn !== undefined) {
      show('revoked', 'makeR revocó este certificado el ' + spanishDate(revokedOn) + ': ya no ampara el plan.');
      return;
    }
    var today = todayIn(document.body.dataset.tz || 'America/Bogota');
    if (today < facts.from) {
      show('not_yet_valid', 'Certificado auténtico, pero su vigencia empieza el ' + spanishDate(facts.from) + '.');
    } else if (today > facts.to) {
      show('expired', 'Certificado auténtico, pero su vigencia terminó el ' + spanishDate(facts.to) + '.');
    } else {
      var listed = ISO_DATE.test(revocations.madeAt.slice(0, 10)) ? ' Lista de revocados publicada el ' + spanishDate(revocations.madeAt.slice(0, 10)) + '.' : '';
      show('valid', 'Certificado auténtico y vigente · ' + facts.planName + ' · hasta el ' + spanishDate(facts.to) + '.' + listed);
    }
  }

  function run(code) {
    verify(code).catch(function () {
      show('unchecked', 'Ocurrió un error al verificar y el certificado queda sin confirmar. Intente de nuevo.');
    });
  }

  function main() {
    if (capable()) {
      keysPromise = loadKeys();
      keysPromise.catch(function () {}); // reported by verify()
      revocationsPromise = keysPromise.then(loadRevocations, function () { return { ok: false, reason: 'no se pudo comprobar' }; });
    }
    run(codeFromPath(window.location.pathname));
    $('formulario').addEventListener('submit', function (event) {
      event.preventDefault();
      var code;
      try {
        code = codeFromText($('codigo').value);
      } catch (e) {
        $('hechos').hidden = true;
        runs++;
        if (e instanceof Problem) { show('malformed', e.message); return; }
        throw e;
      }
      run(code);
      $('veredicto').scrollIntoView({ block: 'start' });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', main);
  } else {
    main();
  }
})();
