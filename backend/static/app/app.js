/* The household app: a static shell that shows what the mobile API (/api/v1) returns.
   Money is always the API's *_text fields; this file never formats money. */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const meta = (name) => { const m = document.querySelector(`meta[name="${name}"]`); return m ? m.content : null; };
  const token = meta("demo-token");
  const householdName = meta("household-name");
  const SCREENS = ["home", "chat", "notices", "settings"];
  const CHIPS = [
    "Giá điện bậc thang hiện nay thế nào?",
    "350 số điện hết bao nhiêu tiền?",
    "Vì sao hóa đơn tháng này tăng?",
    "Mẹo tiết kiệm điện cho máy lạnh",
    "Lịch cắt điện khu tôi",
    "Điện nhà tôi tháng này có bất thường không?",
  ];
  const KIND_NAMES = { weekly_tip: "Mẹo hằng tuần", outage: "Lịch cắt điện", usage_alert: "Cảnh báo dùng điện" };
  const WEATHER = { forecast: "theo dự báo thời tiết", observed: "theo thời tiết đo được", normals: "theo nhiệt độ trung bình nhiều năm", climate: "theo nhiệt độ trung bình nhiều năm" };
  const kwhFormat = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
  const kwh = (n) => kwhFormat.format(n);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /* 2025-05-10 → 10/5/2025; an ISO moment → 10/5/2025 08:30 in Việt Nam's time */
  function date(iso) {
    const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
    return `${d}/${m}/${y}`;
  }
  function moment(iso) {
    const parts = {};
    for (const p of new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(iso))) parts[p.type] = p.value;
    return `${Number(parts.day)}/${Number(parts.month)}/${parts.year} ${parts.hour}:${parts.minute}`;
  }
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const c of children) if (c != null) node.append(c);
    return node;
  }

  async function api(path, options = {}) {
    const headers = { Authorization: "Bearer " + token };
    const init = { method: options.method || "GET", headers };
    if (options.body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(options.body); }
    const res = await fetch(path, init);
    let data = null;
    if (res.status !== 204) { try { data = await res.json(); } catch (e) { data = null; } }
    if (res.headers.get("X-From-Cache") === "1") setOffline(true); else setOffline(false);
    return { ok: res.ok, status: res.status, data, headers: res.headers };
  }
  function problem(res) {
    return (res.data && res.data.message) || "Có lỗi xảy ra, bạn thử lại nhé.";
  }
  function setOffline(on) { $("offline").hidden = !on; }
  window.addEventListener("offline", () => setOffline(true));
  window.addEventListener("online", () => { setOffline(false); refresh(); });

  /* ---------- navigation ---------- */
  const loaded = {};
  let openNotice = null; // #notices/ID (what a push notification opens): that notice, opened
  function show(hash) {
    let [name, id] = hash.split("/");
    if (name === "notices" && /^\d+$/.test(id || "")) openNotice = Number(id);
    if (!SCREENS.includes(name)) name = "home";
    for (const s of SCREENS) $(s).hidden = s !== name;
    for (const a of document.querySelectorAll(".tabs a")) {
      if (a.dataset.screen === name) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    }
    if (token && !loaded[name]) { loaded[name] = true; LOADERS[name](); }
    else if (name === "notices" && openNotice !== null) loadNotices();
    if (name === "chat") { const log = $("log"); log.scrollTop = log.scrollHeight; }
  }
  window.addEventListener("hashchange", () => show(location.hash.slice(1)));

  /* ---------- home ---------- */
  async function loadHome() {
    const [usage, daily, bills, tariffs] = await Promise.all([
      api("/api/v1/me/usage"), api("/api/v1/me/daily?days=60"), api("/api/v1/me/bills"), api("/api/v1/tariffs"),
    ].map((p) => p.catch(() => ({ ok: false, status: 0, data: null }))));
    if (usage.ok) renderUsage(usage.data, tariffs.ok ? tariffs.data : null);
    else $("kwh-so-far").textContent = "—";
    if (bills.ok) renderBills(bills.data.bills);
    $("home").removeAttribute("aria-busy");  // every card at once: nothing below moves later
    await new Promise((resolve) => setTimeout(resolve)); // the chart (its box keeps its height) in a task of its own
    if (daily.ok) renderChart(daily.data); else $("chart-summary").textContent = "Chưa tải được biểu đồ.";
  }

  function renderUsage(u, tariffs) {
    const p = u.projection || null;
    const period = (p && p.period) || { start: u.period_start, end: u.period_end };
    const start = period.start || u.period_start, end = period.end || u.period_end;
    $("kwh-so-far").textContent = kwh(p ? p.kwh_so_far : u.kwh_so_far);
    let periodText = `Từ ${date(start)} đến ${date(end)}`;
    if (p && p.period.days_total) {
      periodText += ` · ngày ${p.period.days_elapsed}/${p.period.days_total}`;
      $("period-bar").style.width = Math.min(100, (100 * p.period.days_elapsed) / p.period.days_total) + "%";
    } else {
      const total = (Date.parse(end) - Date.parse(start)) / 864e5 + 1;
      $("period-bar").style.width = Math.min(100, (100 * u.days_measured) / total) + "%";
      periodText += ` · đã có số liệu ${u.days_measured} ngày`;
    }
    $("period-text").textContent = periodText;

    if (u.days_measured === 0) {
      // nothing measured this period: no projected figure is shown (it would be a guess from nothing)
      $("bill-expected").textContent = "Chưa có số liệu";
      $("bill-range").textContent = "Chưa có số điện nào trong kỳ này, nên chưa dự kiến được tiền điện.";
    } else if (p && p.amount_text) {
      $("bill-expected").textContent = p.amount_text.expected;
      $("bill-range").textContent = `8/10 khả năng trong khoảng ${p.amount_text.low} – ${p.amount_text.high} (${kwh(p.kwh.low)}–${kwh(p.kwh.high)} kWh; dự kiến ${kwh(p.kwh.expected)} kWh).`;
      if (p.weather_source) {
        $("weather-source").hidden = false;
        $("weather-source").textContent = "Ước tính " + (WEATHER[p.weather_source] || p.weather_source) + ".";
      }
      if (p.budget) renderBudget(p.budget);
    } else {
      $("bill-expected").textContent = u.projected_bill_text;
      $("bill-range").textContent = `Dự kiến khoảng ${kwh(u.projected_kwh)} kWh cả kỳ.`;
    }
    renderTier(p && p.tier, p ? p.kwh.expected : u.projected_kwh, tariffs);
    if (u.anomaly && u.anomaly.is_anomaly) {
      $("anomaly-card").hidden = false;
      $("anomaly-text").textContent = u.anomaly.explanation;
      anomalyId = u.anomaly.anomaly_id;
      anomalyStart = u.anomaly.start_day;
      // the last week back to the expected use (the backend's `easing`; the explanation says so):
      // no question whether use changed for good, and no "still unusual, check your appliances"
      const easing = u.anomaly.easing === true;
      $("anomaly-title").textContent = easing ? EASING_TITLE : ALERT_TITLE;
      $("anomaly-ask").hidden = u.anomaly.lasting_change != null || easing;
      $("anomaly-what").hidden = true;
      // answered "no lasting change" with a stay of guests told for all its days: the guests'
      const guests = u.anomaly.lasting_change === false && u.anomaly.guest_stay != null;
      const answered = guests ? GUESTS_ANSWERED
        : u.anomaly.lasting_change === true ? lastingText(u.anomaly.change_text)
        : ANSWERED[u.anomaly.lasting_change];
      // (always written: a re-render into easing must not leave "still unusual" on the card)
      $("anomaly-answer").textContent = u.anomaly.lasting_change == null || (easing && answered === ANSWERED[false]) ? "" : answered;
      // the backend decides whether a repair can be told (as the bot's usage answer does): not
      // after "use changed for good" or guests (nothing is broken), nor a second time
      $("anomaly-repair").hidden = !u.anomaly.repair_offered;
      if (u.anomaly.repaired_on != null) $("anomaly-answer").textContent = repairedText(u.anomaly.repaired_on);
    }
  }

  /* ---------- the usage alert's question: a lasting change or not ---------- */
  let anomalyId = null;
  let anomalyStart = null;
  const ALERT_TITLE = "Mức dùng bất thường";
  const EASING_TITLE = "Mức dùng đã trở lại bình thường";
  const ANSWERED = {
    true: "Cảm ơn bạn. Từ nay mức dự kiến sẽ tính theo mức dùng mới của nhà bạn.",
    false: "Cảm ơn bạn. Mức dùng vẫn được coi là bất thường; hãy kiểm tra các thiết bị nhé.",
  };
  // a yes, with what changed as the backend says it back (`change_text`, null when not said)
  const lastingText = (what) => what ? `Cảm ơn bạn. Đã ghi là nhà bạn ${what}; từ nay mức dự kiến sẽ tính theo mức dùng mới của nhà bạn.` : ANSWERED[true];
  const GUESTS_ANSWERED = "Cảm ơn bạn. Đã ghi là nhà có khách: những ngày đó không bị tính là bất thường, cảnh báo sẽ đóng sau lần kiểm tra mức dùng điện ban đêm.";
  // the answer, with the household's own words (`note`) and what the card says once it is stored;
  // `quiet`: a failure leaves the card's question up without a message (the guest form answers
  // for the household, who is on Cài đặt and sees that form's own status)
  // `change`: with a yes, what changed (the backend's CHANGE_KINDS; null: not said)
  async function answerAnomaly(lasting, { note = null, change = null, answered = null, quiet = false } = {}) {
    if (anomalyId == null) return false;
    const body = { lasting_change: lasting };
    if (note != null) body.note = note;
    if (change != null) body.change = change;
    const res = await api(`/api/v1/me/anomalies/${anomalyId}/feedback`, { method: "POST", body }).catch(() => null);
    const ok = Boolean(res && res.ok);
    const said = answered || (lasting ? lastingText(ok ? res.data.change_text : null) : ANSWERED[false]);
    if (ok || !quiet) $("anomaly-answer").textContent = ok ? said : problem(res || {});
    if (ok) $("anomaly-ask").hidden = true;
    if (ok) $("anomaly-what").hidden = true;
    if (ok && lasting) $("anomaly-repair").hidden = true;  // a new normal: nothing to repair
    return ok;
  }
  // told repaired: the evidence restarts from that day's reading (ml/detect.py), so the alert
  // closes after the next nightly check, or a new one comes if use stays high
  const repairedText = (day) => `Cảm ơn bạn. Đã ghi là bạn sửa xong ngày ${date(day)}: mức dùng từ hôm đó được theo dõi lại từ đầu. Nếu vẫn cao hơn mức dự kiến, bạn sẽ nhận cảnh báo mới.`;
  $("anomaly-repaired").addEventListener("click", async () => {
    if (anomalyId == null) return;
    const res = await api(`/api/v1/me/anomalies/${anomalyId}/repaired`, { method: "POST" }).catch(() => null);
    if (!res || !res.ok) {
      $("anomaly-answer").textContent = problem(res || {});
      if (res && res.status === 409) $("anomaly-repair").hidden = true;  // the alert has closed
      return;
    }
    $("anomaly-answer").textContent = repairedText(res.data.repaired_on);
    $("anomaly-ask").hidden = true;
    $("anomaly-repair").hidden = true;
  });
  // a yes asks what changed before anything is stored: an air conditioner's use is learnt as
  // following the heat, another appliance's as not
  $("anomaly-yes").addEventListener("click", () => {
    $("anomaly-ask").hidden = true;
    $("anomaly-what").hidden = false;
  });
  $("anomaly-what-back").addEventListener("click", () => {
    $("anomaly-what").hidden = true;
    $("anomaly-ask").hidden = false;
  });
  for (const button of $("anomaly-what").querySelectorAll("button[data-change]")) {
    button.addEventListener("click", () => answerAnomaly(true, { change: button.dataset.change || null }));
  }
  $("anomaly-no").addEventListener("click", () => answerAnomaly(false));
  // guests, not a change: the guest form in Cài đặt, filled from the alert's first day to today;
  // nothing is stored until the household checks the days and presses "Báo có khách"; a stay that
  // covers the alert's first day also answers the alert (nothing lasting changed), as in chat
  let guestsAnswer = null;
  $("anomaly-guests").addEventListener("click", () => {
    guestsAnswer = anomalyId;
    location.hash = "settings";
    const now = new Date();
    const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
    $("g-first").value = anomalyStart || today;
    $("g-last").value = today;
    status($("guests-form"), "Kiểm tra ngày khách tới và ngày khách về (có thể đổi) rồi bấm Báo có khách. Những ngày đó sẽ không bị tính là bất thường.");
    $("guests-form").scrollIntoView();
    $("g-last").focus();
  });

  function renderBudget(budget) {
    const node = $("budget");
    node.hidden = false;
    const limit = budget.kind === "amount" ? budget.amount_text : `${kwh(budget.kwh)} kWh`;
    let text = budget.over ? `Dự kiến vượt hạn mức ${limit}.` : `Dự kiến trong hạn mức ${limit}.`;
    if (budget.already_over) text = `Số điện đã dùng kỳ này đã vượt hạn mức ${limit}.`;
    else if (budget.daily_kwh_within != null) text += ` Để không vượt, mỗi ngày còn lại dùng tối đa ${kwh(budget.daily_kwh_within)} kWh.`;
    node.className = budget.over ? "over" : "ok";
    node.textContent = text;
  }

  function renderTier(tier, projectedKwh, tariffs) {
    if (tier && tier.flat_price_text) {
      $("tier-text").textContent = `Mọi số điện cùng một giá ${tier.flat_price_text} (chưa VAT), không chia bậc.`;
      return;
    }
    if (tier && tier.current) {
      let text = `Đang ở bậc ${tier.current}`;
      if (tier.projected && tier.projected !== tier.current) text += `, dự kiến cả kỳ lên bậc ${tier.projected}`;
      text += tier.next_price_text ? `. Bậc kế tiếp giá ${tier.next_price_text} (chưa VAT).` : " — bậc cao nhất.";
      $("tier-text").textContent = text;
      return;
    }
    if (!tariffs) { $("tier-text").textContent = "—"; return; }
    const current = tariffs.tariffs.find((t) => t.decision === tariffs.current);
    const tiers = current ? current.tiers : [];
    const index = tiers.findIndex((t) => t.to_kwh == null || projectedKwh <= t.to_kwh);
    if (index < 0) { $("tier-text").textContent = "—"; return; }
    const now = tiers[index], next = tiers[index + 1];
    $("tier-text").textContent = `Dự kiến kỳ này đến bậc ${now.tier} (${now.price_text}/kWh)` + (next ? `; bậc ${next.tier} giá ${next.price_text}/kWh (chưa VAT).` : " — bậc cao nhất.");
  }

  function renderChart(data) {
    const box = $("chart");
    const svg = new DOMParser().parseFromString(data.svg, "image/svg+xml").documentElement;
    if (svg && svg.nodeName === "svg") box.replaceChildren(document.importNode(svg, true));
    const days = data.days;
    const flagged = days.filter((d) => d.is_anomaly).length;
    const total = days.reduce((s, d) => s + d.kwh, 0);
    $("chart-summary").textContent = days.length
      ? `${days.length} ngày, từ ${date(days[0].date)} đến ${date(days[days.length - 1].date)}: trung bình ${kwh(total / days.length)} kWh/ngày; ${flagged ? flagged + " ngày dùng nhiều bất thường" : "không có ngày bất thường"}.`
      : "Chưa có số liệu hằng ngày.";
  }

  function renderBills(bills) {
    const body = document.querySelector("#bills tbody");
    body.replaceChildren(...bills.slice(0, 6).map((b) =>
      el("tr", {}, el("td", { textContent: `${date(b.period_start)} – ${date(b.period_end)}` }), el("td", { textContent: kwh(b.kwh) }), el("td", { textContent: b.amount_text || "" }))));
    if (!bills.length) body.replaceChildren(el("tr", {}, el("td", { colSpan: 3, textContent: "Chưa có hóa đơn nào." })));
  }

  /* ---------- chat ---------- */
  const shown = new Set();
  let lastAgentId = 0;
  let sending = false;

  function bubble(text, who, label) {
    const node = el("div", { className: "msg " + who });
    if (label) node.append(el("span", { className: "who", textContent: label }));
    node.append(text);
    $("log").append(node);
    $("log").scrollTop = $("log").scrollHeight;
    return node;
  }
  function replies(buttons) {
    const box = el("div", { className: "replies", role: "group" });
    box.setAttribute("aria-label", "Trả lời nhanh");
    for (const b of buttons) {
      box.append(el("button", { type: "button", textContent: b.title, onclick: () => { for (const x of box.children) x.disabled = true; send(b.payload, b.title); } }));
    }
    $("log").append(box);
  }
  function agentMessage(m) {
    if (shown.has(m.id)) return;
    shown.add(m.id);
    lastAgentId = Math.max(lastAgentId, m.id);
    bubble(m.text, "agent", "Nhân viên CSKH");
  }
  function setStatus(status) {
    const banner = $("handoff");
    banner.hidden = status === "bot" || !status;
    banner.textContent = status === "taken_over" ? "Nhân viên chăm sóc khách hàng đang trả lời bạn." : "Đang chờ nhân viên chăm sóc khách hàng…";
  }

  async function loadChat() {
    $("chips").replaceChildren(...CHIPS.map((q) => el("button", { type: "button", textContent: q, onclick: () => send(q) })));
    const greeting = `Xin chào${householdName ? " " + householdName : ""}! Tôi là trợ lý tiết kiệm điện. Bạn có thể hỏi về giá điện, hóa đơn, mẹo tiết kiệm hay lịch cắt điện — hoặc chọn một câu gợi ý bên dưới.`;
    const res = await api("/api/v1/chat/history?limit=100").catch(() => null);
    bubble(greeting, "bot greeting");
    if (res && res.ok) {
      for (const m of res.data.messages) {
        if (m.role === "agent") agentMessage(m);
        else if (m.role === "user" && m.text.startsWith("/")) continue; // a button's payload
        else if (m.text) { shown.add(m.id); bubble(m.text, m.role === "user" ? "user" : "bot"); }
      }
      setStatus(res.data.status);
    }
    poll();
  }

  async function postChat(message) {
    for (let attempt = 0; ; attempt++) {
      let res;
      try { res = await api("/api/v1/chat", { method: "POST", body: { message } }); }
      catch (e) { return { ok: false, status: 0, data: null }; }
      const wait = Number(res.headers.get("Retry-After"));
      if (res.status === 503 && attempt === 0 && Number.isFinite(wait) && wait >= 0) { await sleep(Math.min(wait, 30) * 1000); continue; }
      return res;
    }
  }

  async function send(message, title) {
    if (sending) return;
    sending = true;
    $("send").disabled = true;
    bubble(title || message, "user");
    $("typing").hidden = false;
    const res = await postChat(message);
    $("typing").hidden = true;
    sending = false;
    $("send").disabled = false;
    if (res.ok) {
      for (const m of res.data.messages) {
        if (m.text) bubble(m.text, "bot");
        if (m.buttons && m.buttons.length) replies(m.buttons);
      }
      return;
    }
    const text = res.status === 0 ? "Không kết nối được máy chủ." : problem(res);
    const node = bubble(text, "error");
    node.append(" ", el("button", { type: "button", className: "ghost", textContent: "Thử lại", onclick: () => { node.remove(); send(message, title); } }));
  }

  async function poll() {
    if (!document.hidden) {
      try {
        const res = await api("/api/v1/chat/messages?after=" + lastAgentId);
        if (res.ok) { for (const m of res.data.messages) agentMessage(m); setStatus(res.data.status); }
      } catch (e) { /* offline for a moment: the next poll catches up */ }
    }
    setTimeout(poll, 3000);
  }

  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("text").value.trim();
    if (!text || sending) return;
    $("text").value = "";
    send(text);
  });

  /* ---------- notices ---------- */
  function setUnread(n) {
    const badge = $("unread");
    badge.hidden = !n;
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.setAttribute("aria-label", `${n} chưa đọc`);
  }
  async function loadNotices() {
    const res = await api("/api/v1/me/notices").catch(() => null);
    if (!res || !res.ok) return;
    setUnread(res.data.unread);
    const list = $("notice-list");
    $("notice-empty").hidden = res.data.notices.length > 0;
    list.replaceChildren(...res.data.notices.map((n) => {
      const body = el("span", { className: "body", textContent: n.body, hidden: true });
      const button = el("button", { type: "button", className: "notice" + (n.read ? "" : " unread") },
        el("span", { className: "kind", textContent: KIND_NAMES[n.kind] || n.kind }),
        el("span", { className: "title", textContent: n.title }),
        el("span", { className: "when", textContent: moment(n.created_at) }), body);
      button.setAttribute("aria-expanded", "false");
      button.addEventListener("click", async () => {
        body.hidden = !body.hidden;
        button.setAttribute("aria-expanded", String(!body.hidden));
        if (!n.read) {
          const r = await api(`/api/v1/me/notices/${n.id}/read`, { method: "POST" }).catch(() => null);
          if (r && r.ok) { n.read = true; button.classList.remove("unread"); setUnread(Math.max(0, Number($("unread").textContent || 0) - 1)); }
        }
      });
      if (n.id === openNotice) { openNotice = null; button.click(); button.focus(); }
      return el("li", {}, button);
    }));
  }
  $("read-all").addEventListener("click", async () => {
    const r = await api("/api/v1/me/notices/read", { method: "POST" }).catch(() => null);
    if (r && r.ok) loadNotices();
  });

  /* ---------- settings ---------- */
  let profile = null;
  function status(form, text, bad) {
    const node = form.querySelector(".status");
    node.textContent = text;
    node.className = "status " + (bad ? "over" : "ok");
  }
  async function save(form, changes, done) {
    const res = await api("/api/v1/me", { method: "PUT", body: changes }).catch(() => ({ ok: false, status: 0, data: null }));
    if (res.ok) { profile = res.data; status(form, done); } else status(form, res.status === 0 ? "Không kết nối được máy chủ." : problem(res), true);
    return res.ok;
  }
  async function loadSettings() {
    const res = await api("/api/v1/me").catch(() => null);
    if (!res || !res.ok) return;
    profile = res.data;
    $("p-name").value = profile.display_name || "";
    $("p-occupants").value = profile.occupants;
    $("p-reading-day").value = profile.reading_day;
    $("p-meter").value = profile.meter_kind;
    const a = profile.appliances || {};
    const ac = a.air_conditioner;
    $("a-ac").value = ac && typeof ac === "object" ? ac.count ?? 1 : ac ? 1 : 0;
    $("a-inverter").checked = !!(ac && typeof ac === "object" && ac.inverter);
    for (const key of ["water_heater", "fridge", "washing_machine", "water_pump", "ev_charger"]) $("a-" + key).checked = !!a[key];
    for (const box of document.querySelectorAll("#kinds input")) box.checked = !!profile.notifications[box.dataset.kind];
    $("q-start").value = profile.quiet_hours.start;
    $("q-end").value = profile.quiet_hours.end;
    $("zalo-state").textContent = profile.zalo_linked ? "Đã liên kết với Zalo." : "Chưa liên kết với Zalo.";
    loadGuests();
  }
  $("profile-form").addEventListener("submit", (e) => {
    e.preventDefault();
    save(e.target, { display_name: $("p-name").value.trim(), occupants: Number($("p-occupants").value), reading_day: Number($("p-reading-day").value), meter_kind: $("p-meter").value }, "Đã lưu hồ sơ.");
  });
  $("appliance-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const appliances = Object.assign({}, profile.appliances, { air_conditioner: { count: Number($("a-ac").value || 0), inverter: $("a-inverter").checked } });
    for (const key of ["water_heater", "fridge", "washing_machine", "water_pump", "ev_charger"]) {
      if ($("a-" + key).checked) appliances[key] = appliances[key] || true; else delete appliances[key];
    }
    save(e.target, { appliances }, "Đã lưu thiết bị.");
  });
  for (const box of document.querySelectorAll("#kinds input")) {
    box.addEventListener("change", async () => {
      const ok = await save($("kinds"), { notifications: { [box.dataset.kind]: box.checked } }, box.checked ? "Đã bật." : "Đã tắt.");
      if (!ok) box.checked = !box.checked;
    });
  }
  $("quiet-form").addEventListener("submit", (e) => {
    e.preventDefault();
    save(e.target, { quiet_hours: { start: $("q-start").value, end: $("q-end").value } }, "Đã lưu giờ yên tĩnh.");
  });
  /* ---------- guests announced beforehand ---------- */
  async function loadGuests() {
    const res = await api("/api/v1/me/guest-stays").catch(() => null);
    if (!res || !res.ok) return;
    const form = $("guests-form");
    $("guest-list").replaceChildren(...res.data.stays.map((stay) => {
      const remove = el("button", { type: "button", className: "ghost", textContent: "Xóa" });
      remove.setAttribute("aria-label", `Xóa: ${stay.text}`);
      remove.addEventListener("click", async () => {
        const gone = await api(`/api/v1/me/guest-stays/${stay.id}`, { method: "DELETE" }).catch(() => null);
        if (gone && gone.ok) { status(form, `Đã xóa: ${stay.text}.`); loadGuests(); } else status(form, problem(gone || {}), true);
      });
      return el("li", {}, el("span", { textContent: stay.text }), remove);
    }));
  }
  $("guests-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { first_day: $("g-first").value, last_day: $("g-last").value };
    const res = await api("/api/v1/me/guest-stays", { method: "POST", body }).catch(() => ({ ok: false, status: 0, data: null }));
    if (!res.ok) { status(e.target, res.status === 0 ? "Không kết nối được máy chủ." : problem(res), true); return; }
    status(e.target, `Đã ghi: ${res.data.text}.`);
    loadGuests();
    if (guestsAnswer != null && guestsAnswer === anomalyId && anomalyStart && res.data.first_day <= anomalyStart) {
      if (await answerAnomaly(false, { note: res.data.text, answered: GUESTS_ANSWERED, quiet: true })) {
        guestsAnswer = null;
        $("anomaly-repair").hidden = true;  // guests, not a fault: nothing to repair
      }
    }
  });
  $("zalo-code").addEventListener("click", async () => {
    const res = await api("/api/v1/me/zalo-link-code", { method: "POST" }).catch(() => null);
    $("zalo-result").textContent = res && res.ok
      ? `Mã của bạn: ${res.data.code}. Gửi tin nhắn “liên kết ${res.data.code}” tới Zalo OA trước ${moment(res.data.expires_at).slice(-5)}.`
      : "Chưa lấy được mã, bạn thử lại nhé.";
  });
  $("export").addEventListener("click", async () => {
    const res = await api("/api/v1/me/export").catch(() => null);
    if (!res || !res.ok) { $("data-status").textContent = "Chưa tải được dữ liệu, bạn thử lại nhé."; return; }
    const url = URL.createObjectURL(new Blob([JSON.stringify(res.data, null, 2)], { type: "application/json" }));
    const link = el("a", { href: url, download: "du-lieu-cua-toi.json" });
    document.body.append(link); link.click(); link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    $("data-status").textContent = "Đã tải dữ liệu của bạn.";
  });
  $("delete").addEventListener("click", async () => {
    if (!window.confirm("Xóa toàn bộ dữ liệu của bạn? Việc này không thể hoàn tác.")) return;
    const res = await api("/api/v1/me", { method: "DELETE" }).catch(() => null);
    $("data-status").textContent = res && res.ok ? "Đã xóa toàn bộ dữ liệu của bạn." : "Chưa xóa được, bạn thử lại nhé.";
  });

  /* ---------- web push (FCM) ---------- */
  const webPush = (() => { try { return JSON.parse(meta("web-push") || "null"); } catch (e) { return null; } })();
  const pushSupported = () => "Notification" in window && "serviceWorker" in navigator && "PushManager" in window;
  let messaging = null;
  /* The vendored Firebase SDK (backend/static/vendor/firebase), loaded only when push is wanted */
  async function fcmToken() {
    if (!messaging) {
      messaging = Promise.all([
        import("/static/vendor/firebase/firebase-app.js"), import("/static/vendor/firebase/firebase-messaging.js"),
      ]).then(async ([firebase, fcm]) => {
        if (!(await fcm.isSupported())) throw new Error("push unsupported");
        return { fcm, instance: fcm.getMessaging(firebase.initializeApp(webPush.firebase)) };
      });
      messaging.catch(() => { messaging = null; });
    }
    const { fcm, instance } = await messaging;
    const registration = await navigator.serviceWorker.ready;
    return fcm.getToken(instance, { vapidKey: webPush.vapidKey, serviceWorkerRegistration: registration });
  }
  async function registerPush() {
    const pushToken = await fcmToken();
    const res = await api("/api/v1/me/devices", { method: "POST", body: { token: pushToken, platform: "web" } });
    if (!res.ok) throw new Error(problem(res));
  }
  function pushStatus(text) { $("push-status").textContent = text; }
  if (webPush && $("push-enable")) {
    $("push-enable").addEventListener("click", async () => {
      if (!pushSupported()) { pushStatus("Trình duyệt này không nhận được thông báo đẩy; thông báo vẫn có trong mục Thông báo."); return; }
      $("push-enable").disabled = true;
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        $("push-enable").disabled = false;
        pushStatus("Bạn chưa cho phép thông báo. Có thể cho phép trong cài đặt của trình duyệt; thông báo vẫn có trong mục Thông báo.");
        return;
      }
      pushStatus("Đang bật…");
      try { await registerPush(); pushStatus("Đã bật thông báo trên thiết bị này."); }
      catch (e) { $("push-enable").disabled = false; pushStatus("Chưa bật được thông báo, bạn thử lại nhé."); }
    });
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "notice" && token) { if (loaded.notices) loadNotices(); else api("/api/v1/me/notices?limit=1").then((r) => r.ok && setUnread(r.data.unread)).catch(() => {}); }
    });
  }

  const LOADERS = { home: loadHome, chat: loadChat, notices: loadNotices, settings: loadSettings };
  function refresh() { for (const name of SCREENS) if (loaded[name] && name !== "chat") LOADERS[name](); }

  /* ---------- start ---------- */
  if (householdName) $("who").textContent = householdName;
  if (!token) for (const input of document.querySelectorAll("main input, main button, main select")) input.disabled = true;
  show(location.hash.slice(1) || "home");
  if (token) api("/api/v1/me/notices?limit=1").then((r) => r.ok && setUnread(r.data.unread)).catch(() => {});
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  /* permission given earlier: the token may have changed since (FCM refreshes it); tell the backend */
  if (webPush && token && pushSupported() && Notification.permission === "granted") {
    registerPush().then(() => pushStatus("Thông báo đang bật trên thiết bị này.")).catch(() => {});
  }
})();
