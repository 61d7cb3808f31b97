/* Ask Council chat widget. One tag adds it to any page:
 *   <script src="https://BOT/widget.js" data-council="SLUG" defer></script>
 * No dependencies; styles live in a shadow root so the host page cannot break them (or be
 * broken by them). Any error while starting is contained and logged, never thrown. */
(function () {
  "use strict";

  var STRINGS = {
    en: {
      launcher: "Ask a question",
      title: "Ask the council",
      close: "Close chat",
      intro: "Ask a question about council services. Answers come from the council's website.",
      label: "Your question",
      send: "Send",
      thinking: "Finding an answer…",
      sources: "Sources",
      helpfulQ: "Did this answer your question?",
      yes: "Yes",
      no: "No",
      thanks: "Thank you for your feedback.",
      handoff: "Contact",
      form: "Use the online form",
      call: "Call",
      hours: "Opening hours",
      website: "Go to the web page",
      failed: "Sorry, the chat is not working right now. You can still contact the council:",
      contact: "Contact the council",
      empty: "Type a question first.",
      you: "You asked",
      bot: "Answer",
    },
  };

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box}",
    ".ac{font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#0b0c0c}",
    ".launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;min-height:44px;",
    "padding:10px 18px;border:2px solid #fff;border-radius:22px;background:#1d4f44;color:#fff;",
    "font:inherit;font-weight:bold;cursor:pointer;box-shadow:0 2px 6px rgba(0,0,0,.4)}",
    "button:focus-visible,a:focus-visible,textarea:focus-visible,[tabindex]:focus-visible{",
    "outline:3px solid #ffdd00;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}",
    ".panel{position:fixed;right:16px;bottom:16px;z-index:2147483001;width:min(400px,",
    "calc(100vw - 32px));max-height:min(640px,calc(100vh - 32px));display:flex;",
    "flex-direction:column;background:#fff;border:2px solid #0b0c0c;border-radius:8px;",
    "box-shadow:0 4px 16px rgba(0,0,0,.35)}",
    ".panel[hidden]{display:none}",
    ".head{display:flex;align-items:center;justify-content:space-between;gap:8px;",
    "padding:8px 12px;background:#1d4f44;color:#fff;border-radius:6px 6px 0 0}",
    ".head h2{margin:0;font-size:1.1em}",
    ".close{min-width:44px;min-height:44px;border:2px solid #fff;border-radius:4px;",
    "background:transparent;color:#fff;font:inherit;font-size:1.2em;cursor:pointer}",
    ".log{flex:1;overflow-y:auto;padding:12px;min-height:120px}",
    ".msg{margin:0 0 12px;padding:8px 10px;border-radius:6px;overflow-wrap:anywhere}",
    ".q{background:#e8f1ef;margin-left:15%}",
    ".a{background:#f3f2f1;white-space:pre-line}",
    ".who{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    ".a h3,.a h4{font-size:1em;margin:8px 0 4px}",
    ".a ol{margin:4px 0;padding-left:1.5em;white-space:normal}",
    ".a a{color:#1d4f44;text-decoration:underline}",
    ".handoff{margin-top:8px;padding:8px;border-left:4px solid #1d4f44;background:#fff;",
    "white-space:normal}",
    ".fb{margin-top:8px;white-space:normal}",
    ".fb button{min-width:44px;min-height:44px;margin-right:8px;border:2px solid #1d4f44;",
    "border-radius:4px;background:#fff;color:#1d4f44;font:inherit;cursor:pointer}",
    "form{display:flex;flex-direction:column;gap:6px;padding:12px;border-top:1px solid #b1b4b6}",
    "label{font-weight:bold}",
    "textarea{width:100%;min-height:48px;padding:6px;font:inherit;border:2px solid #0b0c0c;",
    "border-radius:4px;resize:vertical}",
    ".send{align-self:flex-end;min-height:44px;padding:8px 18px;border:0;border-radius:4px;",
    "background:#1d4f44;color:#fff;font:inherit;font-weight:bold;cursor:pointer}",
    ".hint{color:#d4351c;font-weight:bold;margin:0}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);",
    "white-space:nowrap}",
    "@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}",
    "@media (forced-colors:active){.launcher,.send,.panel,.close{border:2px solid CanvasText}}",
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      node.setAttribute(k, attrs[k]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function findScript() {
    return (
      document.currentScript ||
      document.querySelector('script[src*="widget.js"][data-council]') ||
      document.querySelector('script[src*="widget.js"]')
    );
  }

  function start(script) {
    var ds = script.dataset;
    var t = STRINGS[ds.lang] || STRINGS.en;
    var api = (ds.api || new URL(script.src, location.href).origin).replace(/\/$/, "");
    var contactUrl = ds.contactUrl || "";
    var conversationId = null;

    var host = el("div", { id: "askcouncil-widget" });
    var root = host.attachShadow({ mode: "open" });
    var style = el("style", {}, CSS);
    var wrap = el("div", { class: "ac" });
    var launcher = el("button", {
      type: "button", class: "launcher", "aria-expanded": "false",
      "aria-controls": "ac-panel", "aria-haspopup": "dialog",
    }, ds.launcher || t.launcher);
    var panel = el("div", {
      id: "ac-panel", class: "panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "ac-title",
    });
    panel.hidden = true;
    var head = el("div", { class: "head" });
    var title = el("h2", { id: "ac-title" }, ds.title || t.title);
    var close = el("button", { type: "button", class: "close", "aria-label": t.close }, "×");
    head.append(title, close);
    var log = el("div", { class: "log", role: "region", "aria-label": ds.title || t.title,
                          tabindex: "0" });
    log.append(el("p", {}, ds.greeting || t.intro));
    var live = el("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
    var form = el("form", { novalidate: "" });
    var label = el("label", { for: "ac-input" }, t.label);
    var hint = el("p", { class: "hint", id: "ac-hint" });
    hint.hidden = true;
    var input = el("textarea", { id: "ac-input", name: "message", rows: "2",
                                 maxlength: "1000", autocomplete: "off" });
    var send = el("button", { type: "submit", class: "send" }, t.send);
    form.append(label, hint, input, send);
    panel.append(head, log, live, form);
    wrap.append(launcher, panel);
    root.append(style, wrap);
    document.body.appendChild(host);

    function open() {
      panel.hidden = false;
      launcher.hidden = true;
      launcher.setAttribute("aria-expanded", "true");
      input.focus();
    }
    function shut() {
      panel.hidden = true;
      launcher.hidden = false;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }
    launcher.addEventListener("click", open);
    close.addEventListener("click", shut);
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); shut(); }
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });

    function say(text) {
      live.textContent = "";
      setTimeout(function () { live.textContent = text; }, 50);
    }

    function contactLink() {
      var p = el("p", {}, t.failed + " ");
      if (contactUrl) p.append(el("a", { href: contactUrl }, t.contact));
      return p;
    }

    function renderAnswer(data) {
      var box = el("div", { class: "msg a", tabindex: "-1" });
      box.append(el("span", { class: "who" }, t.bot + ": "));
      box.append(document.createTextNode(data.answer));
      if (data.citations && data.citations.length) {
        box.append(el("h3", {}, t.sources));
        var list = el("ol", {});
        data.citations.forEach(function (c) {
          var li = el("li", { value: String(c.n) });
          var name = c.section && c.section !== c.title ? c.title + ": " + c.section : c.title;
          li.append(el("a", { href: c.url }, name));
          list.append(li);
        });
        box.append(list);
      }
      if (data.handoff) box.append(renderHandoff(data.handoff));
      if (data.status === "answered") box.append(renderFeedback(data.message_id));
      return box;
    }

    function renderHandoff(h) {
      var card = el("div", { class: "handoff" });
      card.append(el("h4", {}, t.handoff + ": " + h.label));
      if (h.phone) {
        var p = el("p", {}, t.call + " ");
        p.append(el("a", { href: "tel:" + h.phone.replace(/[^0-9+]/g, "") }, h.phone));
        card.append(p);
      }
      if (h.hours) card.append(el("p", {}, t.hours + ": " + h.hours));
      if (h.availability) card.append(el("p", {}, h.availability.charAt(0).toUpperCase() +
                                                  h.availability.slice(1) + "."));
      if (h.form_url) {
        var f = el("p", {}, "");
        f.append(el("a", { href: h.form_url }, t.form));
        card.append(f);
      }
      if (h.url) card.append(el("a", { href: h.url }, t.website));
      return card;
    }

    function renderFeedback(messageId) {
      var box = el("div", { class: "fb", role: "group", "aria-label": t.helpfulQ });
      box.append(el("p", {}, t.helpfulQ));
      [[t.yes, true], [t.no, false]].forEach(function (pair) {
        var b = el("button", { type: "button" }, pair[0]);
        b.addEventListener("click", function () {
          fetch(api + "/api/feedback", {
            method: "POST", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ message_id: messageId, helpful: pair[1] }),
          }).catch(function () {});
          var done = el("p", { tabindex: "-1" }, t.thanks);
          box.replaceChildren(done);
          done.focus();
          say(t.thanks);
        });
        box.append(b);
      });
      return box;
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var message = input.value.trim();
      if (!message) {
        hint.textContent = t.empty;
        hint.hidden = false;
        input.setAttribute("aria-describedby", "ac-hint");
        input.focus();
        return;
      }
      hint.hidden = true;
      input.removeAttribute("aria-describedby");
      var q = el("p", { class: "msg q" });
      q.append(el("span", { class: "who" }, t.you + ": "), document.createTextNode(message));
      log.append(q);
      input.value = "";
      send.disabled = true;
      say(t.thinking);
      fetch(api + "/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message: message, conversation_id: conversationId,
                               council: ds.council || null }),
      })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (data) {
          conversationId = data.conversation_id;
          var box = renderAnswer(data);
          log.append(box);
          box.focus();
          say(data.answer);
        })
        .catch(function () {
          var box = el("div", { class: "msg a", tabindex: "-1" });
          box.append(contactLink());
          log.append(box);
          box.focus();
          say(t.failed);
        })
        .finally(function () {
          send.disabled = false;
        });
    });
  }

  function boot() {
    try {
      var script = findScript();
      if (script) start(script);
    } catch (err) {
      if (window.console) console.error("Ask Council widget could not start:", err);
    }
  }

  var current = findScript();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      try { if (current) start(current); } catch (err) {
        if (window.console) console.error("Ask Council widget could not start:", err);
      }
    });
  } else {
    boot();
  }
})();
