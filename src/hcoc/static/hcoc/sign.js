/* Signing in the browser: what a state's people send from the pages is signed by a key that only
   their browser holds (a WebCrypto Ed25519 key, made non-extractable: not even this script can
   read its private half), certified by their state's root. The exchange never sees the key, so
   it can never sign in the state's name.

   - The signing page (/log/signing) makes the key (data-signing-create), keeps it in this
     browser's IndexedDB and shows the request the state's key custodian certifies
     (`hcoc key certify --request`).
   - Every form sent with POST is then signed, if the page names a key of this user's that this
     browser holds (the JSON block #hcoc-signing): the form's fields as a JSON object, name ->
     list of values in order, RFC 8785 (what hcoc.ledger.middleware.form_body makes), hashed
     with SHA-256, under the request signing input of the API (hcoc.ledger.client.signing_input):
       "hcoc-request/v1\n" + "POST <path and query>\n" + "<created>\n" + "<hex SHA-256>\n".
     The signature goes with the form as hcoc_sig_keyid, hcoc_sig_created and hcoc_sig.
   Forms marked data-unsigned (logging in, registering the key itself) are not signed. */
(function () {
  "use strict";
  var DB = "hcoc-signing";
  var STORE = "keys";
  var UNSIGNED = { csrfmiddlewaretoken: 1, hcoc_sig_keyid: 1, hcoc_sig_created: 1, hcoc_sig: 1 };

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key_id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function b64(bytes) {
    var text = "";
    new Uint8Array(bytes).forEach(function (b) { text += String.fromCharCode(b); });
    return btoa(text);
  }

  function hex(bytes) {
    return Array.from(new Uint8Array(bytes)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // RFC 8785 for an object of arrays of strings: members sorted by their names' UTF-16 code
  // units, strings as JSON.stringify writes them (which is what RFC 8785 prescribes).
  function canonical(body) {
    return "{" + Object.keys(body).sort().map(function (name) {
      return JSON.stringify(name) + ":" + JSON.stringify(body[name]);
    }).join(",") + "}";
  }

  function config() {
    var block = document.getElementById("hcoc-signing");
    return block ? JSON.parse(block.textContent) : null;
  }

  function heldKey(cfg) {
    if (!cfg || !cfg.keys.length || !window.indexedDB || !window.crypto || !crypto.subtle) return Promise.resolve(null);
    return Promise.all(cfg.keys.map(function (id) {
      return store("readonly", function (s) { return s.get(id); }).catch(function () { return null; });
    })).then(function (found) {
      return found.filter(function (k) { return k && k.user === cfg.user; })[0] || null;
    });
  }

  function signForm(form, submitter, key) {
    var data = new FormData(form, submitter || undefined);
    var body = {};
    data.forEach(function (value, name) {
      if (UNSIGNED[name] || typeof value !== "string") return;
      // As the browser sends it: every line break of a form's value becomes CR LF.
      (body[name] = body[name] || []).push(value.replace(/\r\n|\r|\n/g, "\r\n"));
    });
    // The attribute, not form.action: a field named "action" (a button's) shadows the property.
    var url = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    var created = Math.floor(Date.now() / 1000);
    var encoder = new TextEncoder();
    return crypto.subtle.digest("SHA-256", encoder.encode(canonical(body))).then(function (digest) {
      var input = "hcoc-request/v1\nPOST " + url.pathname + url.search + "\n" + created + "\n" + hex(digest) + "\n";
      return crypto.subtle.sign({ name: "Ed25519" }, key.private_key, encoder.encode(input));
    }).then(function (signature) {
      [["hcoc_sig_keyid", key.key_id], ["hcoc_sig_created", String(created)], ["hcoc_sig", b64(signature)]].forEach(function (pair) {
        var old = form.querySelector('input[name="' + pair[0] + '"]');
        if (old) old.remove();
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        form.appendChild(input);
      });
    });
  }

  // Registered last (the scripts are deferred in order), on the document: a form's own handlers
  // (a confirmation asked with data-confirm) run first, and a form they stopped is not signed.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var method = (form.getAttribute("method") || "get").toLowerCase();
    if (e.defaultPrevented || method !== "post" || form.hasAttribute("data-unsigned")) return;
    var cfg = config();
    if (!cfg || !cfg.keys.length) return;
    e.preventDefault();
    var submitter = e.submitter && e.submitter.form === form ? e.submitter : null;
    heldKey(cfg).then(function (key) {
      return key ? signForm(form, submitter, key) : null;
    }).catch(function (error) {
      window.console.error("signing failed", error);
    }).then(function () {
      // submit() sends the form without a submit event (no second confirmation), but also
      // without the button that was pressed: its name and value go as a hidden field (they
      // were signed with the rest, where FormData put them).
      if (submitter && submitter.name) {
        var pressed = document.createElement("input");
        pressed.type = "hidden";
        pressed.name = submitter.name;
        pressed.value = submitter.value;
        form.appendChild(pressed);
      }
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  // The signing page: make a key in this browser, show the request to certify.
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-signing-create]");
    if (!button) return;
    var out = document.getElementById(button.getAttribute("data-signing-create"));
    var status = document.getElementById("signing-status");
    if (!window.crypto || !crypto.subtle || !window.indexedDB) {
      status.textContent = "This browser cannot keep a signing key (it has no WebCrypto or IndexedDB).";
      button.disabled = true;
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var request = {
        state: button.getAttribute("data-state"),
        key_id: button.getAttribute("data-key-id"),
        kind: "browser",
        user: button.getAttribute("data-user")
      };
      crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]).then(function (pair) {
        return crypto.subtle.exportKey("raw", pair.publicKey).then(function (raw) {
          request.public_key = b64(raw);
          return store("readwrite", function (s) {
            return s.put({ key_id: request.key_id, user: request.user, public_key: request.public_key, private_key: pair.privateKey });
          });
        });
      }).then(function () {
        out.value = JSON.stringify(request, null, 2);
        out.closest("[hidden]") && (out.closest("[hidden]").hidden = false);
        status.textContent = "A key " + request.key_id + " is kept in this browser. Send the request below to your state's key custodian.";
        button.disabled = true;
      }).catch(function (error) {
        status.textContent = "This browser could not make an Ed25519 key (" + error.name + ").";
      });
    });
  });
})();
