/* Ask Council chat widget. One tag adds it to any page:
 *   <script src="https://BOT/widget.js" data-council="SLUG" defer></script>
 * No dependencies, no inline script or style, no eval: it works under a strict
 * Content-Security-Policy (script-src, style-src and connect-src naming the bot). It lives in a
 * shadow root with its own stylesheet (widget.css, beside this file), so the host page cannot
 * break it or be broken by it. Any error while starting is contained and logged, never thrown.
 * Options are data attributes: see widget/README.md. */
(function () {
  "use strict";

  var VERSION = "0.2.0";
  var DEFAULT_COLOUR = "#1d4f44";
  var MAX_CHARS = 10000; // the API's default ASKCOUNCIL_MAX_MESSAGE_CHARS; it says so itself past it
  // Where the window fills the screen (a phone, or 400% zoom): the same query as widget.css.
  // There it covers the whole page, so it is modal: the page behind it is out of reach.
  var FULL_SCREEN = "(max-width: 480px), (max-height: 480px)";
  // How long an announcement stays in the live region. Screen readers take the text when it
  // changes; emptied afterwards, it is not found again later as stale text in the window.
  var ANNOUNCE_MS = 6000;

  // Every string the widget shows, in one object per language (English and Welsh).
  var STRINGS = {
    en: {
      launcher: "Ask a question",
      title: "Ask the council",
      close: "Close chat",
      restart: "Start again",
      restarted: "The conversation has been cleared.",
      intro: "Ask a question about council services.",
      notice: "This is an automated service that answers from the council's website. Please do " +
              "not type personal details, such as your name, address or phone number.",
      privacy: "The council keeps what you type here, with personal details removed. To have a " +
               "conversation deleted, or sent to you, contact the council and quote its " +
               "reference (under \"Your conversation reference\").",
      reference: "Your conversation reference",
      referenceIs: "Your conversation reference is:",
      referenceNone: "There is no conversation yet: ask a question first.",
      referenceHelp: "To ask the council to delete this conversation, or to send you a copy, " +
                     "contact the council and quote this reference.",
      label: "Your question",
      send: "Send",
      thinking: "Finding an answer…",
      sources: "Sources",
      source: "Source",
      helpfulQ: "Did this answer your question?",
      yes: "Yes",
      no: "No",
      thanks: "Thank you for your feedback.",
      reasonQ: "What was wrong?",
      reasons: ["It did not answer my question", "The information was wrong or out of date",
                "It was hard to understand", "I need to speak to someone"],
      phonedQ: "Would you have phoned us if you could not find this here?",
      handoff: "Contact",
      call: "Call",
      hours: "Opening hours",
      form: "Use the online form",
      website: "Go to the {label} web page",
      failed: "Sorry, the chat is not working right now. You can still contact the council:",
      failedNoLink: "Sorry, the chat is not working right now. Please try again later, or use " +
                    "the contact details on this website.",
      tooMany: "Sorry, there have been too many questions in a short time. Please wait a " +
               "minute, then try again.",
      contact: "Contact the council",
      contactNoLink: "To speak to someone, please use the contact details on this website.",
      empty: "Type a question first.",
      tooLong: "Your message is {n} characters long. Please shorten it to {max} characters or " +
               "fewer, keeping your question.",
      you: "You asked",
      bot: "Answer",
      conversation: "Conversation",
      newAnswer: "new answer",
      showAll: "Show the whole message ({n} characters)",
    },
    cy: {
      launcher: "Gofyn cwestiwn",
      title: "Gofyn i'r cyngor",
      close: "Cau'r sgwrs",
      restart: "Dechrau eto",
      restarted: "Mae'r sgwrs wedi'i chlirio.",
      intro: "Gofynnwch gwestiwn am wasanaethau'r cyngor.",
      notice: "Gwasanaeth awtomataidd yw hwn. Daw'r atebion o wefan y cyngor. Peidiwch â " +
              "theipio manylion personol, fel eich enw, eich cyfeiriad na'ch rhif ffôn.",
      privacy: "Mae'r cyngor yn cadw'r hyn rydych yn ei deipio yma, heb fanylion personol. I " +
               "gael dileu sgwrs, neu ei hanfon atoch, cysylltwch â'r cyngor a rhowch ei " +
               "chyfeirnod (o dan \"Cyfeirnod eich sgwrs\").",
      reference: "Cyfeirnod eich sgwrs",
      referenceIs: "Cyfeirnod eich sgwrs yw:",
      referenceNone: "Does dim sgwrs eto: gofynnwch gwestiwn yn gyntaf.",
      referenceHelp: "I ofyn i'r cyngor ddileu'r sgwrs hon, neu anfon copi atoch, cysylltwch " +
                     "â'r cyngor a rhowch y cyfeirnod hwn.",
      label: "Eich cwestiwn",
      send: "Anfon",
      thinking: "Yn chwilio am ateb…",
      sources: "Ffynonellau",
      source: "Ffynhonnell",
      helpfulQ: "A wnaeth hyn ateb eich cwestiwn?",
      yes: "Do",
      no: "Naddo",
      thanks: "Diolch am eich adborth.",
      reasonQ: "Beth oedd o'i le?",
      reasons: ["Ni wnaeth ateb fy nghwestiwn", "Roedd y wybodaeth yn anghywir neu'n hen",
                "Roedd yn anodd ei deall", "Mae angen i mi siarad â rhywun"],
      phonedQ: "Fyddech chi wedi ein ffonio pe na baech wedi dod o hyd i hyn yma?",
      handoff: "Cysylltu",
      call: "Ffonio",
      hours: "Oriau agor",
      form: "Defnyddio'r ffurflen ar-lein",
      website: "Mynd i dudalen we {label}",
      failed: "Mae'n ddrwg gennym, nid yw'r sgwrs yn gweithio ar hyn o bryd. Gallwch gysylltu " +
              "â'r cyngor o hyd:",
      failedNoLink: "Mae'n ddrwg gennym, nid yw'r sgwrs yn gweithio ar hyn o bryd. Rhowch " +
                    "gynnig arall arni yn nes ymlaen, neu defnyddiwch y manylion cyswllt ar y " +
                    "wefan hon.",
      tooMany: "Mae'n ddrwg gennym, bu gormod o gwestiynau mewn amser byr. Arhoswch funud, " +
               "yna rhowch gynnig arall arni.",
      contact: "Cysylltu â'r cyngor",
      contactNoLink: "I siarad â rhywun, defnyddiwch y manylion cyswllt ar y wefan hon.",
      empty: "Teipiwch gwestiwn yn gyntaf.",
      tooLong: "Mae eich neges yn {n} nod o hyd. Byrhewch hi i {max} nod neu lai, gan gadw " +
               "eich cwestiwn.",
      you: "Gofynnoch chi",
      bot: "Ateb",
      conversation: "Sgwrs",
      newAnswer: "ateb newydd",
      showAll: "Dangos y neges gyfan ({n} nod)",
    },
  };

  // ---- Pure helpers (also exposed as window.AskCouncilWidget for the widget's unit tests) ----

  /** What is read out for a reply: its words without the [1] source markers (the sources are
   * links below it) and without web addresses (the contact card links them). */
  function spoken(text) {
    return String(text).replace(/\s*\[\d+\]/g, "")
      .replace(/:?\s*https?:\/\/\S*[^\s.,;:)]/g, "").replace(/\s+([.,;])/g, "$1").trim();
  }

  /** "#1d4f44" or "#fff" as [r, g, b]; null for anything else. */
  function parseColour(text) {
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(text || "").trim());
    if (!m) return null;
    var hex = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
    return [0, 2, 4].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }

  /** WCAG 2.2 contrast ratio of two colours given as [r, g, b]. */
  function contrast(a, b) {
    function lum(rgb) {
      var c = rgb.map(function (v) {
        v /= 255;
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    }
    var hi = Math.max(lum(a), lum(b)), lo = Math.min(lum(a), lum(b));
    return (hi + 0.05) / (lo + 0.05);
  }

  /** The brand colour to use: the option if white text on it reaches 4.5:1, else the default. */
  function brandColour(option) {
    if (!option) return DEFAULT_COLOUR;
    var rgb = parseColour(option);
    if (rgb && contrast(rgb, [255, 255, 255]) >= 4.5) return option;
    if (window.console) {
      console.warn("Ask Council widget: data-colour " + option + " is not a #rrggbb colour " +
                   "with 4.5:1 contrast against white text; using " + DEFAULT_COLOUR);
    }
    return DEFAULT_COLOUR;
  }

  /** The conversation's reference as the resident sees it: the conversation_id, which is a
   *  UUID, without its hyphens, in capitals, in groups of four ("3F2A 9C01 ..."), easy to read
   *  out on the phone. Lossless: remove the spaces and read it as a UUID to get the id back
   *  (docs/api.md). Any other id is shown as it is. */
  function referenceOf(id) {
    var s = String(id || "");
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) return s;
    return s.replace(/-/g, "").toUpperCase().match(/.{4}/g).join(" ");
  }

  /** Language of the widget's strings: data-lang, else the page's lang, else English. */
  function pickLanguage(option, pageLang) {
    var lang = String(option || pageLang || "en").toLowerCase().slice(0, 2);
    return STRINGS[lang] ? lang : "en";
  }

  /** A Server-Sent Events parser: feed it text as it arrives; it calls onEvent(name, data)
   *  for each complete event, whatever the chunk boundaries. */
  function sseParser(onEvent) {
    var buffer = "";
    return function feed(text) {
      buffer += text.replace(/\r\n/g, "\n");
      var end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        var block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        var name = "message", data = [];
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
        });
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    };
  }

  // Links go only to web pages, phone numbers and email addresses: a javascript: or data:
  // address (from a hostile page the crawler met, or anywhere else) is never made a link.
  var SAFE_PROTOCOLS = ["http:", "https:", "tel:", "mailto:"];

  function safeHref(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      var protocol = new URL(value, location.href).protocol;
      return SAFE_PROTOCOLS.indexOf(protocol) >= 0 ? value : null;
    } catch (err) {
      return null;
    }
  }

  // A UK phone number in an answer's text: 0 or +44 (optionally "+44 (0)"), then 9 or 10 more
  // digits with single spaces or hyphens between (01632 960 000, 0800 123 4567, +44 1632
  // 960001). Shorter runs of digits (references, amounts) are left alone.
  var PHONE = /(?:\+44\s?(?:\(0\)\s?)?|\b0)(?:\d[ -]?){8,9}\d\b/g;

  /** The answer's text into `node`, with each phone number a tap-to-call tel: link. */
  function withPhoneLinks(node, text) {
    node.replaceChildren();
    var last = 0, m;
    PHONE.lastIndex = 0;
    while ((m = PHONE.exec(text))) {
      var number = m[0].replace("(0)", "").replace(/[^0-9+]/g, "");
      node.append(document.createTextNode(text.slice(last, m.index)),
                  el("a", { href: "tel:" + number, "data-kind": "phone" }, m[0]));
      last = m.index + m[0].length;
    }
    node.append(document.createTextNode(text.slice(last)));
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "href") {
        var href = safeHref(attrs[k]);
        if (href !== null) node.setAttribute(k, href);
        return;
      }
      node.setAttribute(k, attrs[k]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function storage(kind) {
    try {
      var s = window[kind || "sessionStorage"];
      s.setItem("askcouncil:probe", "1");
      s.removeItem("askcouncil:probe");
      return s;
    } catch (err) {
      return null; // storage off (privacy settings, sandboxed frame): the widget still works
    }
  }

  function findScript() {
    return (
      document.currentScript ||
      document.querySelector('script[src*="widget.js"][data-council]') ||
      document.querySelector('script[src*="widget.js"]')
    );
  }

  // ---- The widget ----

  function start(script) {
    if (document.getElementById("askcouncil-widget")) return; // one per page
    var ds = script.dataset;
    var lang = pickLanguage(ds.lang, document.documentElement.lang);
    var t = STRINGS[lang];
    var api = (ds.api || new URL(script.src, location.href).origin).replace(/\/$/, "");
    // Where to send residents when the API fails: the tag's contact page, else the link the page
    // itself shows with JavaScript off (data-askcouncil-fallback).
    var fallbackLink = document.querySelector(
      "a[data-askcouncil-fallback][href], [data-askcouncil-fallback] a[href]");
    var contactUrl = ds.contactUrl || (fallbackLink ? fallbackLink.href : "");
    var surveyRate = ds.surveyRate === undefined ? 0.5 : Number(ds.surveyRate);
    var useStream = ds.stream !== "false";
    var store = storage();
    var key = "askcouncil:" + (ds.council || "") + ":" + api;
    var state = load();

    var host = el("div", { id: "askcouncil-widget", lang: lang });
    var root = host.attachShadow({ mode: "open" });
    var sheet = el("link", { rel: "stylesheet", href: new URL("widget.css", script.src).href });
    var wrap = el("div", { class: ds.position === "left" ? "ac left" : "ac" });
    wrap.style.setProperty("--ac-brand", brandColour(ds.colour || ds.color));
    wrap.hidden = true; // until its styles have loaded
    sheet.addEventListener("load", function () { wrap.hidden = false; });
    sheet.addEventListener("error", function () { wrap.hidden = false; });
    // The widget lives in the browser's top layer (a manual popover, always shown): no z-index
    // on the page (a consent banner at the highest there is) can cover it, and a filter or
    // transform on the page's body (a council's mourning mode) cannot carry it off with the
    // page as it scrolls. Browsers without popovers get the fixed position and z-index alone.
    var topLayer = typeof wrap.showPopover === "function";
    if (topLayer) wrap.setAttribute("popover", "manual");

    var launcher = el("button", {
      type: "button", class: "launcher", "aria-expanded": "false",
      "aria-controls": "ac-panel", "aria-haspopup": "dialog",
    }, ds.launcher || t.launcher);
    // A <dialog>: beside the launcher it is shown non-modal (the page stays usable); where it
    // fills the screen it is shown modal, so the browser makes the page behind it inert.
    var panel = el("dialog", { id: "ac-panel", class: "panel", "aria-labelledby": "ac-title" });
    var head = el("div", { class: "head" });
    var title = el("h2", { id: "ac-title" }, ds.title || t.title);
    var restart = el("button", { type: "button", class: "restart" }, t.restart);
    var close = el("button", { type: "button", class: "close", "aria-label": t.close }, "×");
    head.append(title, restart, close);
    var log = el("div", { class: "log", role: "region", "aria-label": t.conversation,
                          tabindex: "0" });
    // The greeting (the council's own, or ours) and, always, what the service is and what not
    // to type into it.
    var greeting = el("div", { class: "greeting" });
    greeting.append(el("p", {}, ds.greeting || t.intro), el("p", {}, t.notice),
                    el("p", {}, t.privacy));
    log.append(greeting);
    var live = el("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
    // While the window is closed its own live region is not rendered, so an answer that lands
    // then is announced from this one, beside the launcher.
    var liveClosed = el("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
    var form = el("form", { novalidate: "" });
    var label = el("label", { for: "ac-input" }, t.label);
    var hint = el("p", { class: "hint", id: "ac-hint" });
    hint.hidden = true;
    var input = el("textarea", { id: "ac-input", name: "message", rows: "2",
                                 autocomplete: "off" });
    var send = el("button", { type: "submit", class: "send" }, t.send);
    form.append(label, hint, input, send);
    // "Your conversation reference": a disclosure (its button says whether it is open), for
    // the resident to quote when asking the council to delete or send their conversation.
    var ref = el("div", { class: "ref" });
    var refButton = el("button", { type: "button", class: "ref-toggle", "aria-expanded": "false",
                                   "aria-controls": "ac-ref" }, t.reference);
    var refBox = el("div", { id: "ac-ref", class: "ref-box" });
    refBox.hidden = true;
    ref.append(refButton, refBox);
    panel.append(head, log, live, form, ref);
    wrap.append(launcher, panel, liveClosed);
    root.append(sheet, wrap);
    document.body.appendChild(host);
    if (topLayer) wrap.showPopover();
    // A page zoomed with CSS (a "text size" toolbar's body { zoom: 1.5 }) would zoom the window
    // past the edges of the screen, its close button out of reach: the widget undoes it (the
    // resident's own browser zoom and text size still apply), and again if the page changes it.
    function unzoom() {
      var z = 1;
      for (var node = host.parentElement; node; node = node.parentElement) {
        var v = parseFloat(getComputedStyle(node).zoom);
        if (v > 0) z *= v;
      }
      var want = Math.abs(z - 1) < 0.001 ? "" : String(1 / z);
      if (host.style.zoom !== want) host.style.zoom = want;
    }
    unzoom();
    if (window.MutationObserver) {
      new MutationObserver(unzoom).observe(document.documentElement, {
        attributes: true, attributeFilter: ["style", "class"], subtree: false });
      new MutationObserver(unzoom).observe(document.body, {
        attributes: true, attributeFilter: ["style", "class"] });
    }
    // With JavaScript on, the page's own fallback link (for when it is off) is not needed.
    document.querySelectorAll("[data-askcouncil-fallback]").forEach(function (node) {
      node.hidden = true;
    });

    function load() {
      try {
        var saved = store && JSON.parse(store.getItem(key) || "null");
        if (saved && saved.v === 1 && Array.isArray(saved.turns)) return saved;
      } catch (err) { /* a damaged entry is replaced */ }
      return { v: 1, id: null, token: null, turns: [], open: false };
    }
    var fullScreen = window.matchMedia ? window.matchMedia(FULL_SCREEN) : null;
    var isOpen = false;
    function save() {
      try { if (store) store.setItem(key, JSON.stringify(state)); } catch (err) { /* full */ }
    }

    // The conversation before this one (this browser's last, kept for a week in local
    // storage): sent when a new one starts, so the deflection estimate can tell that the
    // resident came back. It is the conversation's own id; no other id is kept.
    var lasting = storage("localStorage");
    var lastKey = "askcouncil:last:" + (ds.council || "") + ":" + api;
    var WEEK_MS = 7 * 24 * 3600 * 1000;
    function previous() {
      try {
        var last = lasting && JSON.parse(lasting.getItem(lastKey) || "null");
        if (last && typeof last.id === "string" && Date.now() - last.at < WEEK_MS) return last.id;
      } catch (err) { /* a damaged entry is ignored */ }
      return null;
    }
    function remember(id) {
      try { if (lasting) lasting.setItem(lastKey, JSON.stringify({ id: id, at: Date.now() })); }
      catch (err) { /* full or off: nothing is linked */ }
    }
    function forgetPrevious() {
      try { if (lasting) lasting.removeItem(lastKey); } catch (err) { /* off */ }
    }

    function showReference() {
      refBox.replaceChildren();
      if (!state.id) {
        refBox.append(el("p", {}, t.referenceNone));
        return;
      }
      var p = el("p", {}, t.referenceIs + " ");
      p.append(el("strong", { class: "ref-id" }, referenceOf(state.id)));
      var help = el("p", {}, t.referenceHelp + " ");
      if (contactUrl) help.append(el("a", { href: contactUrl }, t.contact));
      refBox.append(p, help);
    }
    refButton.addEventListener("click", function () {
      var opening = refBox.hidden;
      if (opening) showReference();
      refBox.hidden = !opening;
      refButton.setAttribute("aria-expanded", opening ? "true" : "false");
    });

    function modal() { return !!(fullScreen && fullScreen.matches && panel.showModal); }
    function showPanel() {
      if (modal()) {
        panel.showModal();
      } else {
        // The attribute, not show(): show() would move focus, and a window reopened on the
        // next page must not take the page's focus.
        panel.setAttribute("open", "");
      }
    }
    function hidePanel() {
      if (typeof panel.close === "function") panel.close();
      else panel.removeAttribute("open");
    }
    function open(focus) {
      if (isOpen) return;
      isOpen = true;
      launcher.hidden = true;
      launcher.textContent = ds.launcher || t.launcher; // an answer waiting is now seen
      launcher.setAttribute("aria-expanded", "true");
      showPanel();
      state.open = true;
      save();
      if (focus !== false) input.focus();
    }
    // keepFocus: the resident is on the page, not in the window (Escape or Tab there): the
    // window gets out of the way and focus stays where it is.
    function shut(keepFocus) {
      if (!isOpen) return;
      isOpen = false;
      launcher.hidden = false;
      launcher.setAttribute("aria-expanded", "false");
      hidePanel();
      state.open = false;
      save();
      if (keepFocus !== true) launcher.focus();
    }
    function inWidget(node) { return node === host || (node && host.contains(node)); }
    // Whether the open window (beside the launcher) covers the middle of an element of the page.
    function covers(node) {
      if (!node || !node.getBoundingClientRect) return false;
      var r = node.getBoundingClientRect(), w = panel.getBoundingClientRect();
      var x = r.left + r.width / 2, y = r.top + r.height / 2;
      return x >= w.left && x <= w.right && y >= w.top && y <= w.bottom;
    }
    launcher.addEventListener("click", function () { open(); });
    close.addEventListener("click", function () { shut(); });
    // Escape on a modal dialog (the browser's "cancel"), or the dialog closed some other way:
    // the launcher comes back with focus, as with the close button.
    panel.addEventListener("cancel", function (e) { e.preventDefault(); shut(); });
    panel.addEventListener("close", function () {
      if (isOpen && !panel.hasAttribute("open")) shut(); // not if it was shown again since
    });
    // Full screen, Escape closes the window wherever focus is (after a click on plain text it
    // is on the page's body, not in the window).
    // Beside the launcher, Escape pressed on the page closes the window too and leaves focus
    // on the page, revealing whatever it covered.
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || !isOpen) return;
      if (modal()) { e.preventDefault(); shut(); }
      else if (!inWidget(document.activeElement)) shut(true);
    });
    // 2.4.11: Tab from the window into the page may land on a link the window covers (a
    // right-hand column): the window closes to its launcher, with the conversation kept, so
    // the focused link is seen.
    document.addEventListener("focusin", function (e) {
      if (isOpen && !modal() && !inWidget(e.target) && covers(e.target)) shut(true);
    });
    // Zoom or a turned phone can cross the breakpoint while the window is open: show it again
    // in the other mode, keeping the resident's place.
    if (fullScreen && fullScreen.addEventListener) {
      fullScreen.addEventListener("change", function () {
        if (!isOpen) return;
        var had = root.activeElement;
        hidePanel();
        showPanel();
        if (had) had.focus();
      });
    }
    restart.addEventListener("click", function () {
      state = { v: 1, id: null, turns: [], open: true };
      save();
      log.replaceChildren(greeting);
      if (!refBox.hidden) showReference();
      input.value = "";
      input.focus();
      say(t.restarted);
    });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); shut(); }
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });

    // One announcement at a time: a newer one replaces any still pending, and the region is
    // emptied once it has been read out.
    var sayTimers = [];
    function say(text, sayLang) {
      sayTimers.forEach(clearTimeout);
      [live, liveClosed].forEach(function (region) { region.textContent = ""; });
      var region = isOpen ? live : liveClosed;
      region.setAttribute("lang", sayLang || lang);
      sayTimers = [
        setTimeout(function () { region.textContent = text; }, 50),
        setTimeout(function () { region.textContent = ""; }, 50 + ANNOUNCE_MS),
      ];
    }

    // What a failed question leaves: never a sentence ending in a colon with nothing after it.
    function failure(err) {
      if (err && err.status === 429) return el("p", {}, t.tooMany);
      if (!contactUrl) return el("p", {}, t.failedNoLink);
      var p = el("p", {}, t.failed + " ");
      p.append(el("a", { href: contactUrl }, t.contact));
      return p;
    }

    // A long pasted story is shown folded (its start, and the whole on request), so the answer
    // below it is not thousands of pixels away.
    var FOLD_CHARS = 600;
    function renderQuestion(text, qLang) {
      var q = el("div", { class: "msg q" });
      if (qLang) q.setAttribute("lang", qLang);
      var who = el("span", { class: "who" }, t.you + ": ");
      who.setAttribute("lang", lang);
      var line = el("p", {});
      if (text.length <= FOLD_CHARS) {
        line.append(who, document.createTextNode(text));
        q.append(line);
      } else {
        var fold = el("details", {});
        var summary = el("summary", {});
        summary.append(who, document.createTextNode(text.slice(0, 200).trim() + "… "));
        var more = el("span", { class: "more" },
                      t.showAll.replace("{n}", text.length.toLocaleString("en-GB")));
        more.setAttribute("lang", lang);
        summary.append(more);
        fold.append(summary, el("p", {}, text));
        q.append(fold);
      }
      log.append(q);
      return q;
    }

    // Focus no longer carries the window to a new answer, so scroll it there: the question at
    // the top, its answer below. Only the window's own scroller moves (the log beside the
    // launcher, the whole window full screen), never the page.
    function reveal(node) {
      [log, panel].forEach(function (box) {
        if (box.scrollHeight <= box.clientHeight) return;
        box.scrollTop += node.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
      });
    }

    function answerBox() {
      var box = el("div", { class: "msg a" });
      // "Finding an answer…" shows in the box until the first words of the answer arrive.
      var text = el("p", { class: "text waiting" }, t.thinking);
      box.append(el("span", { class: "who" }, t.bot + ": "), text);
      return { box: box, text: text };
    }
    function stopWaiting(shell) {
      if (!shell.text.classList.contains("waiting")) return;
      shell.text.classList.remove("waiting");
      shell.text.textContent = "";
    }

    // Each answer's numbered sources get ids of their own (ac-3-src-1: answer 3, source 1), so
    // the source numbers after its paragraphs and lists can link to them.
    var answerCount = 0;

    /** The answer as its parts (WCAG 1.3.1): each paragraph a <p>, each list a real <ul> or
     *  <ol>, each table a <table>, and after each part the numbers of the sources it comes
     *  from, each a link to that source in the list below the answer. */
    function renderParts(parts, sourceId) {
      var node = el("div", { class: "text" });
      function cites(part) {
        var span = el("span", { class: "cites" });
        (part.cites || []).forEach(function (n) {
          var id = sourceId(n);
          if (!id) return;
          // "Source 1", not a bare "1": the link says what it goes to.
          span.append(" ", el("a", { href: "#" + id, class: "cite", lang: lang },
                              t.source + " " + n));
        });
        return span.childNodes.length ? span : null;
      }
      // After a list or table its source numbers stand in a paragraph of their own.
      function ownLine(span) {
        var p = el("p", { class: "cites-only" });
        p.append(span);
        return p;
      }
      parts.forEach(function (part) {
        var after = cites(part);
        if (part.kind === "list" && Array.isArray(part.items)) {
          var list = el(part.ordered ? "ol" : "ul", {});
          part.items.forEach(function (item) {
            var li = el("li", {});
            withPhoneLinks(li, String(item));
            list.append(li);
          });
          node.append(list);
          if (after) node.append(ownLine(after));
        } else if (part.kind === "table" && Array.isArray(part.rows) && part.rows.length) {
          // With more than one row the first is taken as the column headings.
          var table = el("table", {});
          part.rows.forEach(function (row, i) {
            var tr = el("tr", {});
            (row || []).forEach(function (cell) {
              var header = i === 0 && part.rows.length > 1;
              var c = el(header ? "th" : "td", header ? { scope: "col" } : {});
              withPhoneLinks(c, String(cell));
              tr.append(c);
            });
            table.append(tr);
          });
          node.append(table);
          if (after) node.append(ownLine(after));
        } else if (part.text) {
          var p = el("p", {});
          withPhoneLinks(p, String(part.text));
          if (after) p.append(after);
          node.append(p);
        }
      });
      return node.childNodes.length ? node : null;
    }

    // With a contact card the answer ends with the same line as a sentence ("You can contact
    // Waste and recycling on 01632 960101 (...)"), which the API gives as a part of its own
    // (kind "contact"). The card holds all of it (name, number, hours, open now, form and
    // page), so that part is left out of the answer shown, and the line is shown once. The
    // announcement still reads the whole answer, sentence and all, once.
    function withoutContactSentence(parts, data) {
      if (!data.handoff) return parts;
      return parts.filter(function (part) { return part.kind !== "contact"; });
    }

    function fillAnswer(shell, data, turn) {
      stopWaiting(shell);
      answerCount += 1;
      var prefix = "ac-" + answerCount + "-src-";
      var numbers = (data.citations || []).map(function (c) { return c.n; });
      var parts = Array.isArray(data.parts) ? withoutContactSentence(data.parts, data) : null;
      var structured = parts && parts.length ? renderParts(
        parts, function (n) { return numbers.indexOf(n) >= 0 ? prefix + n : null; }) : null;
      if (structured) {
        shell.text = structured; // the streamed plain text is replaced by the structured answer
      } else {
        // An older server without parts: the text as it came, markers and all.
        withPhoneLinks(shell.text, data.answer);
      }
      // The reply says which language it is in (a Welsh question in the English widget, or an
      // English reply in the Welsh one): screen readers pronounce it right (WCAG 3.1.2).
      var replyLang = data.lang || lang;
      shell.text.setAttribute("lang", replyLang);
      var box = shell.box;
      box.replaceChildren(box.firstChild, shell.text);
      if (data.citations && data.citations.length) {
        box.append(el("h3", {}, t.sources));
        var list = el("ol", { class: "sources" });
        data.citations.forEach(function (c) {
          var li = el("li", { value: String(c.n), id: prefix + c.n });
          var name = c.section && c.section !== c.title ? c.title + ": " + c.section : c.title;
          li.append(el("a", { href: c.url, "data-kind": "source" }, name));
          list.append(li);
        });
        box.append(list);
      }
      if (data.handoff) box.append(renderHandoff(data.handoff, replyLang));
      if (data.status === "answered" && !turn.fb) box.append(renderFeedback(data, turn));
      // Handoffs used (phone, form, page, source) feed the deflection estimate.
      box.addEventListener("click", function (e) {
        // A source number: the browser cannot follow "#id" into the widget's shadow root (and
        // must not change the page's address), so focus moves to that source's link here.
        var cite = e.target.closest && e.target.closest("a.cite");
        if (cite) {
          e.preventDefault();
          var target = root.getElementById(cite.getAttribute("href").slice(1));
          var to = target && target.querySelector("a");
          if (to) { to.focus(); to.scrollIntoView({ block: "nearest" }); }
          return;
        }
        var link = e.target.closest && e.target.closest("a[data-kind]");
        if (!link || !data.message_id) return;
        fetch(api + "/api/event", {
          method: "POST", headers: { "Content-Type": "application/json" }, keepalive: true,
          body: JSON.stringify({ message_id: data.message_id, message_token: data.message_token,
                                 kind: link.dataset.kind,
                                 target: link.getAttribute("href") }),
        }).catch(function () {});
      });
    }

    // The card's own words are the widget's language; the line's name, hours and whether it is
    // open now come from the reply, in the reply's language.
    function renderHandoff(h, replyLang) {
      var card = el("div", { class: "handoff" });
      // h3, as "Sources" is: one level below the window's h2, whichever comes first.
      var heading = el("h3", {}, t.handoff + ": ");
      heading.append(el("span", { lang: replyLang }, h.label));
      card.append(heading);
      if (h.phone) {
        var p = el("p", {}, t.call + " ");
        p.append(el("a", { href: "tel:" + h.phone.replace(/[^0-9+]/g, ""), "data-kind": "phone" },
                    h.phone));
        card.append(p);
      }
      if (h.hours) {
        var hours = el("p", {}, t.hours + ": ");
        hours.append(el("span", { lang: replyLang }, h.hours));
        card.append(hours);
      }
      if (h.availability) {
        card.append(el("p", { class: "open-now", lang: replyLang },
                       h.availability.charAt(0).toUpperCase() + h.availability.slice(1) + "."));
      }
      if (h.form_url) {
        var f = el("p", {});
        f.append(el("a", { href: h.form_url, "data-kind": "form" }, t.form));
        card.append(f);
      }
      if (h.url) {
        var w = el("p", {});
        // The link names the page it goes to: "Go to the Waste and recycling web page".
        var words = t.website.split("{label}");
        var go = el("a", { href: h.url, "data-kind": "page" }, words[0]);
        go.append(el("span", { lang: replyLang }, h.label), words[1]);
        w.append(go);
        card.append(w);
      }
      return card;
    }

    // Where to speak to someone: the reply's own contact line, else the council's contact page,
    // else a sentence pointing to the contact details on the website.
    function contactLine(data) {
      if (data.handoff) return renderHandoff(data.handoff, data.lang || lang);
      if (!contactUrl) return el("p", { class: "contact" }, t.contactNoLink);
      var p = el("p", { class: "contact" });
      p.append(el("a", { href: contactUrl }, t.contact));
      return p;
    }

    function postFeedback(body) {
      return fetch(api + "/api/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).catch(function () {});
    }

    function renderFeedback(data, turn) {
      // Only this browser holds the answer's token: nobody else can give its feedback.
      var answer = { message_id: data.message_id, message_token: data.message_token };
      var box = el("div", { class: "fb", role: "group", "aria-label": t.helpfulQ });
      function done(extra, contact) {
        turn.fb = true;
        save();
        var thanks = el("p", { tabindex: "-1" }, t.thanks);
        box.replaceChildren(thanks);
        if (extra) box.append(extra);
        // The clicked button is gone, so focus moves, and what it lands on is read out: the
        // thanks, the survey's group ("Would you have phoned us?"), or the contact line (read
        // whole). Only a thanks that focus never reaches is announced (beside the contact
        // line), so nothing is heard twice: after the survey, focus lands on its own thanks.
        if (extra && contact) extra.setAttribute("tabindex", "-1");
        (extra ? (contact ? extra : extra.querySelector("button")) : thanks).focus();
        if (extra && contact) say(t.thanks);
      }
      function buttons(group, labels, onPick) {
        labels.forEach(function (text, i) {
          var b = el("button", { type: "button" }, text);
          b.addEventListener("click", function () { onPick(i, text); });
          group.append(b);
        });
      }
      box.append(el("p", {}, t.helpfulQ));
      buttons(box, [t.yes, t.no], function (i) {
        if (i === 0) {
          postFeedback(Object.assign({ helpful: true }, answer));
          if (Math.random() < surveyRate) { // sampled: feeds the deflection estimate
            var survey = el("div", { role: "group", "aria-label": t.phonedQ });
            survey.append(el("p", {}, t.phonedQ));
            buttons(survey, [t.yes, t.no], function (j) {
              postFeedback(Object.assign({ helpful: true, would_have_phoned: j === 0 }, answer));
              done();
            });
            done(survey);
          } else {
            done();
          }
        } else {
          var reasons = el("div", { role: "group", "aria-label": t.reasonQ });
          reasons.append(el("p", {}, t.reasonQ));
          // It did not help: whatever the reason, the resident is not left with only a thanks,
          // but given the right line to speak to someone.
          buttons(reasons, t.reasons, function (_j, text) {
            postFeedback(Object.assign({ helpful: false, reason: text }, answer));
            done(contactLine(data), true);
          });
          box.replaceChildren(reasons);
          reasons.querySelector("button").focus(); // its group, "What was wrong?", is read out
        }
      });
      return box;
    }

    function httpError(r) {
      var err = new Error("HTTP " + r.status);
      err.status = r.status;
      return err;
    }

    function plainChat(body) {
      return fetch(api + "/api/chat", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: body,
      }).then(function (r) {
        if (!r.ok) throw httpError(r);
        return r.json();
      });
    }

    // Streams the answer into shell.text as it is produced; resolves with the `done` reply.
    function streamChat(body, shell) {
      return fetch(api + "/api/chat/stream", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: body,
      }).then(function (r) {
        if (!r.ok || !r.body) throw httpError(r);
        var reader = r.body.getReader();
        var decoder = new TextDecoder();
        var final = null;
        var feed = sseParser(function (name, data) {
          if (name === "answer") {
            stopWaiting(shell);
            shell.text.textContent += data.text;
          } else if (name === "reset") {
            stopWaiting(shell);
            shell.text.textContent = "";
          }
          else if (name === "done") final = data;
          else if (name === "error") throw new Error(data.message);
        });
        function pump() {
          return reader.read().then(function (part) {
            if (part.done) {
              if (!final) throw new Error("the stream ended early");
              return final;
            }
            feed(decoder.decode(part.value, { stream: true }));
            return pump();
          });
        }
        return pump();
      });
    }

    // While an answer is on its way the widget is busy: Enter or Send does nothing (a second
    // question would go before the first reply gave it its conversation). The button is
    // aria-disabled, not disabled, so focus on it stays where it is.
    var busy = false;
    function setBusy(on) {
      busy = on;
      if (on) send.setAttribute("aria-disabled", "true");
      else send.removeAttribute("aria-disabled");
    }

    function ask(message) {
      var question = renderQuestion(message);
      input.value = "";
      setBusy(true);
      say(t.thinking);
      var shell = answerBox();
      shell.box.setAttribute("aria-busy", "true");
      log.append(shell.box);
      reveal(question);
      // The conversation continues only with the token its first reply gave this browser. A
      // new one names the browser's conversation before it, if there was one.
      var fields = { message: message, conversation_id: state.id,
                     conversation_token: state.token || null, council: ds.council || null };
      var before = state.id ? null : previous();
      var streaming = useStream && window.ReadableStream && window.TextDecoder;
      function attempt(body) {
        return streaming ? streamChat(body, shell).catch(function (err) {
          if (err && (err.status === 429 || err.status === 422)) throw err; // same again
          shell.text.textContent = t.thinking;
          shell.text.classList.add("waiting");
          return plainChat(body); // the stream failed: ask once more, the plain way
        }) : plainChat(body);
      }
      attempt(JSON.stringify(before ? Object.assign({ previous_conversation_id: before }, fields)
                                    : fields))
        .catch(function (err) {
          // A damaged previous id is refused (422): forget it and ask again without it.
          if (!(before && err && err.status === 422)) throw err;
          forgetPrevious();
          return attempt(JSON.stringify(fields));
        })
        .then(function (data) {
          state.id = data.conversation_id;
          state.token = data.conversation_token;
          remember(state.id);
          if (!refBox.hidden) showReference();
          var turn = { q: message, a: data, fb: false };
          state.turns.push(turn);
          state.turns = state.turns.slice(-20);
          save();
          shell.box.removeAttribute("aria-busy");
          fillAnswer(shell, data, turn);
          reveal(question);
          // Focus stays where the resident is (often typing the next question): the answer is
          // announced once, through the live region, and is the last message above the box.
          if (data.question_lang) question.setAttribute("lang", data.question_lang);
          say(spoken(data.answer), data.lang);
          // Closed while it was on its way: the launcher says an answer is waiting.
          if (!isOpen) launcher.textContent = (ds.launcher || t.launcher) + " (" + t.newAnswer + ")";
        })
        .catch(function (err) {
          shell.box.removeAttribute("aria-busy");
          shell.box.replaceChildren(failure(err));
          // The question goes back in the box to send again, unless they have typed another.
          if (!input.value) input.value = message;
          say(shell.box.textContent);
        })
        .finally(function () {
          setBusy(false);
        });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (busy) return; // the text stays in the box for when the answer is in
      var message = input.value.trim();
      // Not maxlength: it cuts a pasted story off without a word. Say so, and keep the text.
      var problem = !message ? t.empty : message.length > MAX_CHARS ? t.tooLong
        .replace("{n}", message.length.toLocaleString("en-GB"))
        .replace("{max}", MAX_CHARS.toLocaleString("en-GB")) : "";
      if (problem) {
        hint.textContent = problem;
        hint.hidden = false;
        input.setAttribute("aria-describedby", "ac-hint");
        input.setAttribute("aria-invalid", "true");
        input.focus();
        say(problem); // focus is already in the box, so nothing else would read it out
        return;
      }
      hint.hidden = true;
      input.removeAttribute("aria-describedby");
      input.removeAttribute("aria-invalid");
      ask(message);
    });

    // A conversation carried over from another page of the same site (session storage).
    var lastQuestion = null;
    state.turns.forEach(function (turn) {
      lastQuestion = renderQuestion(turn.q, turn.a && turn.a.question_lang);
      var shell = answerBox();
      log.append(shell.box);
      fillAnswer(shell, turn.a, turn);
    });
    // Reopen where it was, without taking the page's focus: beside the launcher only. Full
    // screen it would cover the new page the resident just asked for; the launcher is there.
    if (state.open && !modal()) {
      open(false);
      if (lastQuestion) reveal(lastQuestion);
    }
    else if (state.open) { state.open = false; save(); }
  }

  function boot(script) {
    try {
      if (script) start(script);
    } catch (err) {
      if (window.console) console.error("Ask Council widget could not start:", err);
    }
  }

  window.AskCouncilWidget = {
    version: VERSION, strings: STRINGS, parseColour: parseColour, contrast: contrast,
    brandColour: brandColour, pickLanguage: pickLanguage, sseParser: sseParser, spoken: spoken,
    referenceOf: referenceOf,
  };
  var current = findScript();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { boot(current); });
  } else {
    boot(current);
  }
})();
