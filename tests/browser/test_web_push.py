"""Web push on the household's page in Chromium at phone size: without a Firebase web config the
Settings screen says notices arrive in the app's inbox and no push SDK is loaded; with one, the
page asks for permission only when the household taps the button, loads the vendored Firebase
SDK from /static, and registers the FCM token with the backend (POST /api/v1/me/devices). The
service worker shows an incoming push and the notice it names opens.

Google cannot be reached here: only the routes to Google's endpoints are stubbed, inside the
test — Firebase Installations and FCM registrations (page routes), and the browser's own push
subscription, which Chromium asks of Google's push service outside any page route (an init
script stands in for PushManager.subscribe with a subscription as that service would hand out).
Everything of ours runs for real."""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from backend.clock import local_today, utc_now
from backend.extensions import db
from backend.models import Device, Notification
from backend.services.demo import seed_demo
from tests.browser.conftest import SLOW

FCM_TOKEN = "fake-fcm-web-token:" + "A" * 140
WEB_CONFIG = {
    "apiKey": "AIzaFakeKeyForTheBrowserTest000000000000",
    "authDomain": "tiet-kiem-dien-test.firebaseapp.com",
    "projectId": "tiet-kiem-dien-test",
    "messagingSenderId": "123456789012",
    "appId": "1:123456789012:web:0123456789abcdef",
}
# What Chromium's push service would return for a subscription (endpoint on FCM, real P-256 keys)
FAKE_PUSH_SERVICE = """
(() => {
  const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const p256dh = Uint8Array.from(atob("%s"), (c) => c.charCodeAt(0));
  const auth = new Uint8Array(16).fill(7);
  let current = null;
  const subscription = (options) => ({
    endpoint: "https://fcm.googleapis.com/fcm/send/fake-endpoint",
    expirationTime: null,
    options,
    getKey: (name) => (name === "p256dh" ? p256dh : auth).buffer,
    toJSON: () => ({ endpoint: "https://fcm.googleapis.com/fcm/send/fake-endpoint", keys: { p256dh: b64(p256dh), auth: b64(auth) } }),
    unsubscribe: async () => { current = null; return true; },
  });
  PushManager.prototype.subscribe = async function (options) { current = subscription(options); return current; };
  PushManager.prototype.getSubscription = async function () { return current; };
})();
"""


def vapid_public_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def seed(live) -> int:
    with live.app.app_context():
        session = db.session()
        seed_demo(session, local_today(), days=30)
        notice = Notification(
            household_id="demo-1",
            kind="outage",
            dedupe_key="demo-1:push-outage",
            title="Lịch cắt điện thứ Bảy",
            body="Khu vực của bạn mất điện từ 8:00 đến 11:00 để bảo dưỡng lưới.",
            created_at=utc_now(),
        )
        session.add(notice)
        session.commit()
        return notice.id


def requests_of(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_without_a_web_config_notices_go_to_the_inbox_and_no_sdk_loads(live, phone, shot):
    seed(live)
    page = phone.open()
    seen = requests_of(page)
    page.goto(live.url + "/#settings")
    card = page.locator("#push-card")
    expect(card).to_contain_text("hộp thư Thông báo", timeout=SLOW)
    expect(page.locator("#push-enable")).to_have_count(0)
    expect(page.locator("#p-name")).not_to_have_value("", timeout=SLOW)  # settings loaded
    shot(page, "household-settings-push-off")
    assert page.locator('meta[name="web-push"]').count() == 0
    assert not [url for url in seen if "firebase" in url or not url.startswith(live.url)]


def test_with_a_web_config_the_button_registers_the_fcm_token(live, phone, shot):
    notice_id = seed(live)
    vapid = vapid_public_key()
    live.app.config.update(FIREBASE_WEB_CONFIG=WEB_CONFIG, FIREBASE_VAPID_KEY=vapid)
    context = phone.context
    p256dh = base64.b64encode(
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    ).decode()
    context.add_init_script(FAKE_PUSH_SERVICE % p256dh)
    google: list[dict] = []

    def installations(route):
        google.append({"url": route.request.url, "headers": route.request.headers})
        route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps(
                {
                    "name": f"projects/{WEB_CONFIG['projectId']}/installations/fid",
                    "fid": "cFakeInstallId0000000A",
                    "refreshToken": "fake-refresh-token",
                    "authToken": {"token": "fake-installation-auth", "expiresIn": "604800s"},
                }
            ),
        )

    def registrations(route):
        google.append({"url": route.request.url, "body": route.request.post_data_json})
        route.fulfill(
            status=200, content_type="application/json", body=json.dumps({"token": FCM_TOKEN})
        )

    context.route("https://firebaseinstallations.googleapis.com/**", installations)
    context.route("https://fcmregistrations.googleapis.com/**", registrations)
    page = phone.open()
    seen = requests_of(page)
    page.goto(live.url + "/#settings")
    button = page.get_by_role("button", name="Bật thông báo trên thiết bị này")
    expect(button).to_be_enabled(timeout=SLOW)
    assert not [url for url in seen if "/vendor/firebase/" in url]  # nothing before the tap

    context.grant_permissions(["notifications"])  # what the household answers at the prompt
    button.click()
    expect(page.locator("#push-status")).to_have_text(
        "Đã bật thông báo trên thiết bị này.", timeout=SLOW
    )
    shot(page, "household-settings-push-on")
    vendored = [url for url in seen if "/vendor/firebase/" in url]
    assert f"{live.url}/static/vendor/firebase/firebase-messaging.js" in vendored
    assert f"{live.url}/static/vendor/firebase/firebase-app.js" in vendored
    assert all(
        url.startswith(live.url)
        or url.startswith("https://firebaseinstallations.googleapis.com/")
        or url.startswith("https://fcmregistrations.googleapis.com/")
        for url in seen
    )
    # the SDK spoke to Google with the page's config and the VAPID key it was given
    assert google[0]["headers"]["x-goog-api-key"] == WEB_CONFIG["apiKey"]
    assert WEB_CONFIG["projectId"] in google[0]["url"]
    assert google[-1]["body"]["web"]["applicationPubKey"] == vapid
    with live.app.app_context():
        device = db.session.query(Device).filter_by(household_id="demo-1").one()
        assert (device.token, device.platform) == (FCM_TOKEN, "web")

    # an incoming push, as FCM delivers it, shows a notification naming the notice
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    cdp = context.new_cdp_session(page)
    registrations_seen: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations_seen.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")  # reports the registrations it knows
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=SLOW)
    for _ in range(400):  # the event arrives soon after enable: wait for it, at most 20 s
        ids = [r["registrationId"] for r in registrations_seen if r["scopeURL"] == scope]
        if ids:
            break
        page.wait_for_timeout(50)
    registration_id = ids[0]
    payload = {
        "notification": {"title": "Lịch cắt điện thứ Bảy", "body": "Mất điện 8:00–11:00."},
        "data": {"kind": "outage", "notification_id": str(notice_id)},
        "from": WEB_CONFIG["messagingSenderId"],
        "fcmMessageId": "fake-message-1",
    }
    shown = None
    # on a loaded machine one delivered push was never shown (CI, 2026-12-04: 20 s of polling);
    # the test delivers it again, at most three times, instead of polling longer
    for _attempt in range(3):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live.url, "registrationId": registration_id, "data": json.dumps(payload)},
        )
        for _ in range(400):  # the worker shows it soon: wait for it, at most 20 s
            shown = page.evaluate(
                """async () => {
                    const list = await (await navigator.serviceWorker.ready).getNotifications();
                    return list.length ? { title: list[0].title, url: list[0].data.url } : null;
                }"""
            )
            if shown:
                break
            page.wait_for_timeout(50)
        if shown:
            break
    assert shown is not None
    assert shown["title"] == "Lịch cắt điện thứ Bảy"
    assert shown["url"] == f"/#notices/{notice_id}"

    # the page the notification opens shows that notice, opened and read
    page.goto(live.url + shown["url"])
    opened = page.locator(".notice[aria-expanded=true]")
    expect(opened).to_contain_text("mất điện từ 8:00 đến 11:00", timeout=SLOW)
    expect(opened).to_have_class("notice", timeout=SLOW)  # "unread" goes once the read is stored
    with live.app.app_context():
        assert db.session.get(Notification, notice_id).read_at is not None
