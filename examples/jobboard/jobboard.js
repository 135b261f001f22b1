// SPDX-License-Identifier: Apache-2.0
/* The live job board: one card per training job, built from the retained topics modelarts2mqtt
 * publishes (docs/topics.md), kept current by the messages that follow.
 *
 * URL parameters: base (the agent's base_topic, default "modelarts") and broker (an MQTT over
 * WebSockets URL, default the host and port that served this page: mosquitto's websockets
 * listener serves it from http_dir).
 *
 * Everything the broker sends is text from the network: it reaches the page through
 * textContent only, never as markup. job_id is a 64-bit integer, beyond what a JavaScript number
 * holds exactly, so the board takes it from the topic as a string and never from the JSON. */
(function () {
    "use strict";

    var PHASES = ["pending", "running", "stopping", "review", "succeeded", "failed", "canceled",
                  "unknown"];
    var FLASH_MS = 2500;
    var DASH = "\u2013";

    var params = new URLSearchParams(window.location.search);
    var base = params.get("base") || "modelarts";
    var brokerUrl = params.get("broker") || defaultBroker();

    var agents = new Map();   /* agent id -> {el, status, health} */
    var projects = new Map(); /* "agent/project" -> {el, grid, summaryEl, summary, jobs, dirty} */
    var renderPending = false;

    var $ = function (id) { return document.getElementById(id); };

    function defaultBroker()
    {
        var loc = window.location;
        if (loc.protocol === "https:")
            return "wss://" + loc.host + "/";
        if (loc.protocol === "http:")
            return "ws://" + loc.host + "/";
        return "ws://localhost:9001/"; /* opened as a file: the demo's usual listener */
    }

    function el(tag, className, text)
    {
        var e = document.createElement(tag);
        if (className)
            e.className = className;
        if (text !== undefined)
            e.textContent = text;
        return e;
    }

    function pad2(n) { return n < 10 ? "0" + n : String(n); }

    /* Milliseconds as h:mm:ss; hours are not wrapped into days (a 3-day job is 72:00:00). */
    function formatDuration(ms)
    {
        if (typeof ms !== "number" || !isFinite(ms) || ms < 0)
            return DASH;
        var s = Math.floor(ms / 1000);
        return Math.floor(s / 3600) + ":" + pad2(Math.floor(s / 60) % 60) + ":" + pad2(s % 60);
    }

    function formatAgo(epochMs)
    {
        if (typeof epochMs !== "number")
            return "never";
        var s = Math.max(0, Math.round((Date.now() - epochMs) / 1000));
        if (s < 60)
            return s + " s ago";
        if (s < 3600)
            return Math.floor(s / 60) + " min ago";
        return Math.floor(s / 3600) + " h ago";
    }

    function formatTime(epochMs)
    {
        if (typeof epochMs !== "number")
            return DASH;
        var d = new Date(epochMs);
        return d.getFullYear() + "-" + pad2(d.getMonth() + 1) + "-" + pad2(d.getDate()) + " " +
               pad2(d.getHours()) + ":" + pad2(d.getMinutes());
    }

    /* Decimal integer strings of any length, compared as numbers. */
    function compareIds(a, b)
    {
        var na = a.charAt(0) === "-", nb = b.charAt(0) === "-";
        if (na !== nb)
            return na ? -1 : 1;
        var sign = na ? -1 : 1;
        if (a.length !== b.length)
            return sign * (a.length - b.length);
        return a < b ? -sign : a > b ? sign : 0;
    }

    function phaseOf(doc)
    {
        return PHASES.indexOf(doc.phase) >= 0 ? doc.phase : "unknown";
    }

    /* ---- connection ---------------------------------------------------------------------- */

    function setConnection(state, text)
    {
        var c = $("connection");
        c.dataset.state = state;
        c.textContent = text;
    }

    function clearBoard()
    {
        agents.clear();
        projects.clear();
        $("agents").textContent = "";
        $("projects").textContent = "";
        updateEmpty();
    }

    function updateEmpty()
    {
        $("empty").hidden = projects.size > 0;
    }

    /* ---- agents: B/status and B/health --------------------------------------------------- */

    function agentEntry(id)
    {
        var a = agents.get(id);
        if (a)
            return a;
        a = {status: null, health: null, el: el("div", "agent")};
        a.el.dataset.agent = id;
        a.el.appendChild(el("span", "dot"));
        a.el.appendChild(el("span", "agent-id", id));
        a.el.appendChild(el("span", "agent-status"));
        a.el.appendChild(el("span", "agent-health"));
        agents.set(id, a);
        var list = $("agents");
        var after = null;
        list.childNodes.forEach(function (n) {
            if (!after && n.dataset.agent > id)
                after = n;
        });
        list.insertBefore(a.el, after);
        return a;
    }

    function renderAgent(a)
    {
        var status = a.status === "online" || a.status === "offline" ? a.status : "unknown";
        a.el.dataset.status = status;
        a.el.querySelector(".agent-status").textContent = a.status === null ? "status unknown"
                                                                             : a.status;
        var h = a.health, text = "";
        if (h) {
            if (h.poll_ok) {
                text = "last poll ok " + formatAgo(h.last_success_at) + ", " + h.jobs + " jobs, " +
                       h.latency_ms + " ms";
            } else {
                text = "poll failing (" + h.consecutive_failures + "): " +
                       (h.error_message || h.error_code || "error") + "; last success " +
                       formatAgo(h.last_success_at);
            }
        }
        a.el.dataset.pollOk = h ? String(Boolean(h.poll_ok)) : "";
        a.el.querySelector(".agent-health").textContent = text;
    }

    function onStatus(agent, text)
    {
        var a = agentEntry(agent);
        a.status = text === "" ? null : text;
        renderAgent(a);
    }

    function onHealth(agent, text)
    {
        var a = agentEntry(agent);
        a.health = text === "" ? null : parseJson(text);
        renderAgent(a);
    }

    /* ---- projects: P/summary and P/jobs/<id> --------------------------------------------- */

    function projectEntry(agent, project)
    {
        var key = agent + "/" + project;
        var p = projects.get(key);
        if (p)
            return p;
        p = {jobs: new Map(), summary: null, dirty: false};
        p.el = el("section", "project");
        p.el.dataset.agent = agent;
        p.el.dataset.project = project;
        var head = el("header", "project-head");
        var title = el("h2", "project-title");
        title.appendChild(el("span", "project-agent", agent));
        title.appendChild(el("span", "project-sep", " / "));
        title.appendChild(el("span", "project-id", project));
        head.appendChild(title);
        p.summaryEl = el("div", "summary");
        PHASES.forEach(function (ph) {
            var chip = el("span", "count phase-" + ph);
            chip.dataset.phase = ph;
            chip.appendChild(el("b", "n", "0"));
            chip.appendChild(el("span", "label", ph));
            p.summaryEl.appendChild(chip);
        });
        var total = el("span", "count total");
        total.dataset.phase = "total";
        total.appendChild(el("b", "n", "0"));
        total.appendChild(el("span", "label", "total"));
        p.summaryEl.appendChild(total);
        p.summaryEl.appendChild(el("span", "summary-updated"));
        head.appendChild(p.summaryEl);
        p.el.appendChild(head);
        p.grid = el("div", "cards");
        p.el.appendChild(p.grid);
        projects.set(key, p);
        var list = $("projects");
        var after = null;
        list.childNodes.forEach(function (n) {
            if (!after && n.dataset.agent + "/" + n.dataset.project > key)
                after = n;
        });
        list.insertBefore(p.el, after);
        renderSummary(p);
        updateEmpty();
        return p;
    }

    function renderSummary(p)
    {
        var s = p.summary;
        p.el.dataset.hasSummary = s ? "true" : "false";
        p.summaryEl.querySelectorAll(".count").forEach(function (chip) {
            var v = s ? s[chip.dataset.phase] : null;
            chip.querySelector(".n").textContent = typeof v === "number" ? String(v) : DASH;
            chip.classList.toggle("zero", v === 0);
        });
        p.summaryEl.querySelector(".summary-updated").textContent =
            s ? "updated " + formatAgo(s.updated_at) : "no summary yet";
    }

    function onSummary(agent, project, text)
    {
        var p = projectEntry(agent, project);
        p.summary = text === "" ? null : parseJson(text);
        renderSummary(p);
    }

    function newCard(id)
    {
        var card = el("article", "card");
        card.dataset.jobId = id;
        var top = el("div", "card-top");
        top.appendChild(el("h3", "job-name"));
        top.appendChild(el("span", "job-status"));
        card.appendChild(top);
        var mid = el("div", "card-mid");
        mid.appendChild(el("span", "job-duration"));
        mid.appendChild(el("span", "job-phase"));
        card.appendChild(mid);
        var foot = el("div", "card-foot");
        var idEl = foot.appendChild(el("span", "job-id", id));
        idEl.title = "job_id " + id;
        foot.appendChild(el("span", "job-created")).title = "created (local time)";
        card.appendChild(foot);
        return card;
    }

    function flash(card)
    {
        card.classList.remove("flash");
        void card.offsetWidth; /* restart the animation when a second change comes quickly */
        card.classList.add("flash");
        clearTimeout(card.flashTimer);
        card.flashTimer = setTimeout(function () { card.classList.remove("flash"); }, FLASH_MS);
    }

    function onJob(agent, project, id, text)
    {
        var p = projectEntry(agent, project);
        var job = p.jobs.get(id);
        if (text === "") {
            if (job) {
                job.el.remove();
                p.jobs.delete(id);
            }
            return;
        }
        var doc = parseJson(text);
        if (!doc || typeof doc !== "object")
            return;
        if (!job) {
            job = {el: newCard(id), doc: null};
            p.jobs.set(id, job);
            p.dirty = true;
            scheduleRender();
        } else if (job.doc.create_time !== doc.create_time) {
            p.dirty = true;
            scheduleRender();
        }
        var changed = job.doc !== null && job.doc.status !== doc.status;
        job.doc = doc;
        var card = job.el, phase = phaseOf(doc);
        var name = typeof doc.job_name === "string" && doc.job_name !== "" ? doc.job_name
                                                                            : "(no name)";
        card.className = "card phase-" + phase + (card.classList.contains("flash") ? " flash" : "");
        card.dataset.phase = phase;
        card.dataset.status = doc.status_name || "";
        card.dataset.terminal = String(Boolean(doc.terminal));
        card.querySelector(".job-name").textContent = name;
        card.title = typeof doc.job_desc === "string" ? doc.job_desc : "";
        card.querySelector(".job-status").textContent = doc.status_name || DASH;
        card.querySelector(".job-duration").textContent = formatDuration(doc.duration);
        /* The phase says more than the status only when they differ (WAITING: pending). */
        card.querySelector(".job-phase").textContent =
            String(doc.status_name).toLowerCase() === phase ? "" : phase;
        card.querySelector(".job-created").textContent = formatTime(doc.create_time);
        if (changed)
            flash(card);
    }

    /* Newest first; a retained burst of thousands of jobs is sorted once per frame, not once
     * per message. */
    function scheduleRender()
    {
        if (renderPending)
            return;
        renderPending = true;
        window.requestAnimationFrame(function () {
            renderPending = false;
            projects.forEach(function (p) {
                if (!p.dirty)
                    return;
                p.dirty = false;
                var ids = Array.from(p.jobs.keys());
                ids.sort(function (a, b) {
                    var ta = p.jobs.get(a).doc.create_time, tb = p.jobs.get(b).doc.create_time;
                    ta = typeof ta === "number" ? ta : -Infinity;
                    tb = typeof tb === "number" ? tb : -Infinity;
                    return ta !== tb ? tb - ta : compareIds(b, a);
                });
                ids.forEach(function (id) { p.grid.appendChild(p.jobs.get(id).el); });
            });
        });
    }

    /* ---- messages ------------------------------------------------------------------------ */

    function parseJson(text)
    {
        try {
            return JSON.parse(text);
        } catch (e) {
            console.warn("jobboard: not JSON:", text.slice(0, 200));
            return null;
        }
    }

    var decoder = new TextDecoder("utf-8");

    function onMessage(topic, payload)
    {
        if (topic.slice(0, base.length + 1) !== base + "/")
            return;
        var parts = topic.slice(base.length + 1).split("/");
        var text = decoder.decode(payload);
        if (parts.length === 2 && parts[1] === "status")
            onStatus(parts[0], text);
        else if (parts.length === 2 && parts[1] === "health")
            onHealth(parts[0], text);
        else if (parts.length === 3 && parts[2] === "summary")
            onSummary(parts[0], parts[1], text);
        else if (parts.length === 4 && parts[2] === "jobs" && /^-?[0-9]{1,20}$/.test(parts[3]))
            onJob(parts[0], parts[1], parts[3], text);
    }

    function start()
    {
        $("base").textContent = base;
        $("broker").textContent = brokerUrl;
        if (!base || /[+#]/.test(base) || base.charAt(base.length - 1) === "/") {
            setConnection("error", "invalid base topic");
            return;
        }
        if (typeof window.mqtt === "undefined") {
            setConnection("error", "mqtt.min.js did not load");
            return;
        }
        var client = window.mqtt.connect(brokerUrl, {
            clientId: "jobboard-" + Math.random().toString(16).slice(2, 10),
            clean: true,
            protocolVersion: 4,
            reconnectPeriod: 2000,
            connectTimeout: 10000,
        });
        setConnection("connecting", "connecting");
        client.on("connect", function () {
            /* A clean session gets every retained message again, and a job removed while the
             * board was away has no retained message left to say so: start from empty. */
            clearBoard();
            setConnection("live", "live");
            client.subscribe([base + "/+/+/jobs/+", base + "/+/+/summary", base + "/+/health",
                              base + "/+/status"], {qos: 0});
        });
        client.on("reconnect", function () { setConnection("connecting", "reconnecting"); });
        client.on("offline", function () { setConnection("offline", "broker unreachable"); });
        client.on("error", function (err) { setConnection("error", String(err.message || err)); });
        client.on("message", onMessage);
        /* Relative times ("12 s ago") age between messages. */
        setInterval(function () {
            agents.forEach(renderAgent);
            projects.forEach(function (p) {
                if (p.summary)
                    renderSummary(p);
            });
        }, 1000);
    }

    start();
})();
