"""The production check: the product started as production runs it, then used.

    .venv/bin/python scripts/production_check.py      (or `make production-check`)

DEBUG off; `migrate` and `collectstatic` (the manifest storage, hashed names);
gunicorn, a Celery worker and Celery beat, on PostgreSQL and Redis. Then, as
people would: a commissioner signs in with a password and a one-time code
from an authenticator app; each kind of PDF (a specification version, the
annual report, the cabinet committee report) is rendered by the worker and
read back for its stylesheet (Liberation Sans and the council's blue); a 403,
a 404 and a 500 come back in the house style with their stylesheet; /healthz
answers ok; beat's catch-up job reaches the worker; everything stops cleanly
on SIGTERM. `manage.py check --deploy` passes with production values.

It shares nothing with other runs on the machine: a database of its own on
the PostgreSQL at PRODUCTION_CHECK_POSTGRES (default
postgres://postgres@127.0.0.1:5432, dropped afterwards), a redis-server of its
own on a free port, free ports for gunicorn, its own queue, and a temporary
folder for static files, uploads, e-mail and logs. It never stops the shared
PostgreSQL or Redis. Only what it started is stopped, by process id.

The one thing production has that this does not is the TLS proxy: requests
carry `X-Forwarded-Proto: https` as the proxy's would, and SECURE_SSL_REDIRECT
is off for the run (the check --deploy step runs with it on).

Exits 0 when every step passed; otherwise prints the failing step, the tail of
each log, and exits 1.
"""

import hashlib
import hmac
import http.client
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STEP_TIMEOUT = 120  # seconds for any one wait (a PDF, a worker answer)
BRAND_FILL = re.compile(rb"0\.141\d* 0\.192\d* 0\.368\d* rg")  # #24315e
REPORT_YEAR = 2017  # a finished year of the demo: its reports are written again (see load_demo)


class CheckFailed(Exception):
    pass


def say(message):
    print(f"[production check {time.strftime('%H:%M:%S')}] {message}", flush=True)


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what, timeout=STEP_TIMEOUT, every=0.5):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise CheckFailed(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def totp(key_hex, at=None, step=30, digits=6):
    """RFC 6238, as an authenticator app computes it."""
    counter = int((at or time.time()) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


# The environment -------------------------------------------------------------------


def configuration_names():
    """Every variable the settings read (.env.example), so none leaks in from outside."""
    names = {"LRA_TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            names.add(line.split("=", 1)[0].strip())
    return names


class Run:
    def __init__(self):
        self.id = f"{os.getpid()}{secrets.token_hex(3)}"
        self.work = Path(tempfile.mkdtemp(prefix="lra-production-check-"))
        self.logs = self.work / "logs"
        self.logs.mkdir()
        self.postgres = os.environ.get(
            "PRODUCTION_CHECK_POSTGRES", "postgres://postgres@127.0.0.1:5432"
        ).rstrip("/")
        self.database = f"lra_prodcheck_{self.id}"
        self.redis_port = free_port()
        self.web_port = free_port()
        self.host = f"127.0.0.1:{self.web_port}"
        self.processes = {}  # name -> Popen, each in its own process group
        self.demo_password = secrets.token_urlsafe(18)
        inherited = {k: v for k, v in os.environ.items() if k not in configuration_names()}
        self.env = {
            **inherited,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"{self.postgres}/{self.database}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_QUEUE": f"prodcheck-{self.id}",
            "CACHE_KEY_PREFIX": f"prodcheck-{self.id}",
            "EMAIL_URL": f"filemail:///{self.work / 'mail'}",
            "SITE_URL": f"http://{self.host}",
            "STATIC_ROOT": str(self.work / "static"),
            "MEDIA_ROOT": str(self.work / "media"),
            "SECURE_SSL_REDIRECT": "false",  # no TLS proxy here: see the module docstring
            # This script's requests play the TLS proxy, from this machine.
            "TRUSTED_PROXIES": "127.0.0.1",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }

    # Processes ---------------------------------------------------------------

    def manage(self, *args, env=None, timeout=300):
        result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise CheckFailed(
                f"manage.py {' '.join(args[:2])} failed:\n{result.stdout[-3000:]}"
                f"{result.stderr[-5000:]}"
            )
        return result.stdout

    def manage_in_background(self, name, *args, env=None):
        """manage.py in its own process, while the next steps go on; see `finish`."""
        self.start(name, [PYTHON, "manage.py", *args], env=env)

    def finish(self, name, timeout=300):
        try:
            status = self.processes[name].wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            status = None
        if status != 0:
            raise CheckFailed(f"{name} failed ({status}):\n{self.log(name)[-5000:]}")

    def start(self, name, command, env=None):
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the process
        self.processes[name] = subprocess.Popen(  # noqa: S603 - our own commands
            command,
            cwd=ROOT,
            env=env or self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped by its id alone
        )
        log.close()

    def log(self, name):
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def alive(self, name):
        process = self.processes[name]
        check(process.poll() is None, f"{name} died:\n{self.log(name)[-3000:]}")

    def stop(self, name, timeout=60):
        """SIGTERM, as a process manager sends; the exit status (None if it had to be killed)."""
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                return process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                return None
        return process.returncode

    # The database ------------------------------------------------------------

    def sql(self, statement, database="postgres"):
        import psycopg2

        url = urllib.parse.urlsplit(f"{self.postgres}/{database}")
        conn = psycopg2.connect(
            host=url.hostname,
            port=url.port or 5432,
            user=urllib.parse.unquote(url.username or "postgres"),
            password=urllib.parse.unquote(url.password) if url.password else None,
            dbname=database,
            connect_timeout=5,
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement)
        finally:
            conn.close()

    # Clean-up ----------------------------------------------------------------

    def clean_up(self):
        for name in list(self.processes):
            if self.processes[name].poll() is None:
                self.stop(name, timeout=20)
        try:
            self.sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001 - report it, keep cleaning
            say(f"could not drop {self.database}: {exc}")
        shutil.rmtree(self.work, ignore_errors=True)


# A browser -------------------------------------------------------------------------


class Browser:
    """Cookies, CSRF tokens and the TLS proxy's header, over plain HTTP to gunicorn."""

    def __init__(self, host):
        self.host = host
        self.cookies = {}

    def request(self, method, path, data=None):
        conn = http.client.HTTPConnection(self.host, timeout=60)
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{self.host}/",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if cookie_value in ('""', "") or "max-age=0" in value.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        conn.close()
        response.content = content
        response.text = content.decode(errors="replace")
        return response

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data)

    @staticmethod
    def csrf_token(page):
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        check(match, "no CSRF token on the page")
        return match.group(1)

    def submit(self, path, data):
        """GET the form, then POST it with its CSRF token."""
        token = self.csrf_token(self.get(path))
        return self.post(path, {"csrfmiddlewaretoken": token, **data})


def location(response):
    return response.getheader("Location") or ""


def stylesheet_is_served(browser, page, what):
    match = re.search(r'href="(/static/build/main\.[0-9a-f]{12}\.css)"', page.text)
    check(match, f"{what}: no hashed stylesheet link (the manifest storage is not in use)")
    css = browser.get(match.group(1))
    check(css.status == 200, f"{what}: its stylesheet answers {css.status}")
    check("text/css" in (css.getheader("Content-Type") or ""), f"{what}: stylesheet not CSS")


def pdf_is_styled(data, what):
    from pypdf import PdfReader

    check(data.startswith(b"%PDF-"), f"{what}: not a PDF")
    reader = PdfReader(io.BytesIO(data))
    fonts, brand = set(), False
    for page in reader.pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1].replace("-", ""))
        brand = brand or bool(BRAND_FILL.search(page.get_contents().get_data()))
    fonts = {f.lstrip("/") for f in fonts}
    # The stylesheet's Liberation Sans, and no serif (WeasyPrint's default). A
    # symbol Liberation Sans lacks may come from DejaVu Sans.
    check(
        any(f.startswith("LiberationSans") for f in fonts) and not any("Serif" in f for f in fonts),
        f"{what}: fonts {sorted(fonts)}: the stylesheet was not applied",
    )
    check(brand, f"{what}: nothing in the council's blue: the stylesheet was not applied")
    return len(reader.pages)


# The steps -------------------------------------------------------------------------


def prepare(run):
    say(f"redis-server of its own on port {run.redis_port}")
    run.start(
        "redis",
        [
            "redis-server",
            "--port",
            str(run.redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(run.work),
        ],
    )

    def redis_answers():
        run.alive("redis")
        with socket.create_connection(("127.0.0.1", run.redis_port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    wait_for(lambda: _quietly(redis_answers), "redis-server", timeout=20)

    say(f"database {run.database}")
    run.sql(f'CREATE DATABASE "{run.database}"')
    # Independent of the database, so alongside migrate and the demo data.
    say("check --deploy with production values (SECURE_SSL_REDIRECT on), in the background")
    deploy = {k: v for k, v in run.env.items() if k != "SECURE_SSL_REDIRECT"}
    run.manage_in_background(
        "check-deploy", "check", "--deploy", "--fail-level", "WARNING", env=deploy
    )
    say("collectstatic (the manifest storage), in the background")
    run.manage_in_background("collectstatic", "collectstatic", "--no-input", "-v", "0")
    say("migrate")
    run.manage("migrate", "--no-input", "-v", "0")
    run.finish("check-deploy")
    run.finish("collectstatic")
    manifest = run.work / "static" / "staticfiles.json"
    check(manifest.exists(), "collectstatic wrote no manifest: not the manifest storage")


def load_demo(run):
    """The demo council, with the product already running (beat's first minute goes by)."""
    say("demo data (load_demo refuses DEBUG off: loaded with DEBUG on, then served with it off)")
    demo_env = {**run.env, "DEBUG": "true", "DEMO_PASSWORD": run.demo_password}
    run.manage("load_demo", env=demo_env)
    # The commissioner's authenticator app, and the version in force's PDF.
    out = run.manage(
        "shell",
        "-c",
        "import json\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from lra_commissioning import two_factor\n"
        "from lra_commissioning.models import User\n"
        "from specifications.pdf import pdf_path\n"
        "from specifications.selectors import version_in_force\n"
        "from specifications.views import public_version_url\n"
        "from django.utils import timezone\n"
        "user = User.objects.get(email='commissioner@example.org')\n"
        "device = TOTPDevice.objects.create(user=user, name=two_factor.TOTP_DEVICE_NAME,"
        " confirmed=True)\n"
        "version = version_in_force(on=timezone.localdate())\n"
        # The demo published every finished year's reports: REPORT_YEAR's are
        # written again, as far as the commissioner's assessment, for the worker
        # to produce when the commissioner asks below.
        "from cycle.models import AnnualReport\n"
        "from cycle.demo_reports import demo_fill_annual_report\n"
        "from lra_commissioning.demo import DemoContext\n"
        f"AnnualReport.objects.filter(financial_year__start_year={REPORT_YEAR}).delete()\n"
        "ctx = DemoContext(password='', users={u.email: u for u in User.objects.all()})\n"
        f"demo_fill_annual_report(ctx, {REPORT_YEAR}, produce=False)\n"
        "print(json.dumps({'key': device.key, 'version': version.pk,"
        " 'pdf_path': pdf_path(version),"
        " 'pdf_url': public_version_url(version) + 'specification.pdf'}))",
    )
    return json.loads(out.strip().splitlines()[-1])


def _quietly(condition):
    try:
        return condition()
    except (OSError, http.client.HTTPException):
        return False


def start_the_product(run):
    say(f"gunicorn on {run.host}, a Celery worker and Celery beat")
    run.start(
        "gunicorn",
        [
            PYTHON,
            "-m",
            "gunicorn",
            "lra_commissioning.wsgi:application",
            "--bind",
            run.host,
            "--workers",
            "2",
            "--timeout",
            "60",
            "--graceful-timeout",
            "20",
            "--access-logfile",
            "-",
        ],
    )
    queue = run.env["CELERY_QUEUE"]
    run.start(
        "worker",
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "lra_commissioning",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
    )
    run.start(
        "beat",
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "lra_commissioning",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(run.work / "celerybeat-schedule"),
        ],
    )
    run.beat_started = time.monotonic()
    browser = Browser(run.host)

    def healthy():
        for name in ("gunicorn", "worker", "beat"):
            run.alive(name)
        return browser.get("/healthz").status == 200

    wait_for(lambda: _quietly(healthy), "/healthz to answer 200", timeout=90)
    wait_for(lambda: " ready." in run.log("worker"), "the worker to be ready", timeout=90)
    return browser


def sign_in(run, browser, key):
    say("sign in: password, then a one-time code")
    page = browser.get("/sign-in/")
    check(page.status == 200, f"/sign-in/ answered {page.status}")
    stylesheet_is_served(browser, page, "the sign-in page")
    response = browser.post(
        "/sign-in/",
        {
            "csrfmiddlewaretoken": browser.csrf_token(page),
            "username": "commissioner@example.org",
            "password": run.demo_password,
        },
    )
    check(response.status == 302, f"the password step answered {response.status}")
    check("/sign-in/code/" in location(response), f"sent to {location(response)}, not the code")
    check(browser.get("/home/").status == 302, "a password alone opened a staff page")
    response = browser.submit("/sign-in/code/", {"code": totp(key)})
    check(response.status == 302, f"the code step answered {response.status}")
    home = browser.get("/home/")
    check(home.status == 200 and "Sign out" in home.text, f"/home/ answered {home.status}")


def specification_pdf(run, browser, setup):
    say("the specification's PDF, rendered by the worker")
    # Publishing queued it (the demo published through the services); ask again
    # through the broker in case the demo's version was published before the
    # queue existed: a no-op once it is kept.
    run.manage(
        "shell",
        "-c",
        "from specifications.tasks import render_version_pdf\n"
        f"render_version_pdf.delay({setup['version']})",
    )
    stored = run.work / "media" / setup["pdf_path"]
    wait_for(lambda: stored.exists() and stored.stat().st_size > 0, "the worker to store it")
    wait_for(
        lambda: (
            "specifications.tasks.render_version_pdf" in run.log("worker")
            and "succeeded" in run.log("worker")
        ),
        "the worker to log it",
        timeout=30,
    )
    served = browser.get(setup["pdf_url"])
    check(served.status == 200, f"{setup['pdf_url']} answered {served.status}")
    check(served.content == stored.read_bytes(), "the public PDF is not the one the worker kept")
    return pdf_is_styled(served.content, "the specification PDF")


def report_pdfs(run, browser):
    pages = {}
    for kind in ("annual", "cabinet"):
        say(f"the {kind} report for {REPORT_YEAR}/{REPORT_YEAR - 1999}, rendered by the worker")
        response = browser.submit(
            "/annual-reports/manage/", {"start_year": str(REPORT_YEAR), "kind": kind}
        )
        check(response.status == 302, f"asking for the {kind} report answered {response.status}")
        detail = location(response)
        check(re.search(r"/annual-reports/manage/\d+/$", detail), f"sent to {detail}")

        def rendered(detail=detail):
            page = browser.get(detail)
            check("could not be produced" not in page.text, f"rendering failed:\n{page.text}")
            return page if "Download the report (PDF)" in page.text else None

        wait_for(rendered, f"the {kind} report to be rendered", every=1)
        pdf = browser.get(detail + "pdf/")
        check(pdf.status == 200, f"the {kind} report's PDF answered {pdf.status}")
        pages[kind] = pdf_is_styled(pdf.content, f"the {kind} report")
    check("cycle.render_annual_report" in run.log("worker"), "the worker did not render them")
    return pages


def error_pages(run, browser):
    say("a styled 404, 403 and 500")
    page = browser.get("/no-such-page/")
    check(page.status == 404 and "Page not found" in page.text, f"404 answered {page.status}")
    stylesheet_is_served(browser, page, "the 404 page")

    page = browser.get("/administration/people/")  # the administrator's, not a commissioner's
    check(
        page.status == 403 and "You do not have permission" in page.text,
        f"403 answered {page.status}",
    )
    stylesheet_is_served(browser, page, "the 403 page")

    page = browser.post("/annual-reports/manage/", {"start_year": "2016", "kind": "annual"})
    check(
        page.status == 403 and "Your form could not be sent" in page.text,
        f"a form without its CSRF token answered {page.status}",
    )
    stylesheet_is_served(browser, page, "the CSRF failure page")

    # A real fault: the database loses a table the comment page reads, then gets it back.
    table = "specifications_specificationversion"
    run.sql(f'ALTER TABLE "{table}" RENAME TO "{table}_away"', run.database)
    try:
        page = browser.get("/specification/comment/")
    finally:
        run.sql(f'ALTER TABLE "{table}_away" RENAME TO "{table}"', run.database)
    check(
        page.status == 500 and "Sorry, there is a problem with the service" in page.text,
        f"500 answered {page.status}",
    )
    check("Traceback" not in page.text and "DEBUG" not in page.text, "the 500 page shows debug")
    stylesheet_is_served(browser, page, "the 500 page")
    check(browser.get("/specification/comment/").status == 200, "the page did not recover")


def health(browser):
    say("/healthz")
    response = browser.get("/healthz")
    body = json.loads(response.content)
    check(response.status == 200, f"/healthz answered {response.status}: {body}")
    check(body["checks"] == {"database": "ok", "redis": "ok"}, f"/healthz: {body}")


def beat_reaches_the_worker(run):
    say("beat's catch-up job reaches the worker (sent each minute)")
    wait_for(
        lambda: re.search(r"lra_commissioning\.catch_up\[[^\]]+\] succeeded", run.log("worker")),
        "beat's first catch-up job to run on the worker",
        timeout=max(10, 100 - (time.monotonic() - run.beat_started)),
        every=1,
    )


def stop_cleanly(run):
    say("stop: SIGTERM to gunicorn, the worker and beat")
    statuses = {name: run.stop(name) for name in ("gunicorn", "beat", "worker")}
    check(all(status == 0 for status in statuses.values()), f"exit statuses: {statuses}")
    for name in ("worker", "beat"):
        check("Traceback" not in run.log(name), f"a traceback in the {name}'s log")
    errors = re.findall(r"Internal Server Error: (\S+)", run.log("gunicorn"))
    check(errors == ["/specification/comment/"], f"server errors in gunicorn's log: {errors}")
    run.stop("redis")


def main():
    started = time.monotonic()
    run = Run()
    say(f"working in {run.work}")
    ok = False
    try:
        prepare(run)
        browser = start_the_product(run)
        setup = load_demo(run)
        sign_in(run, browser, setup["key"])
        specification_pages = specification_pdf(run, browser, setup)
        report_pages = report_pdfs(run, browser)
        error_pages(run, browser)
        health(browser)
        beat_reaches_the_worker(run)
        stop_cleanly(run)
        ok = True
        say(
            f"passed in {time.monotonic() - started:.0f} s: specification PDF "
            f"{specification_pages} pages, annual report {report_pages['annual']}, cabinet "
            f"report {report_pages['cabinet']}, all styled"
        )
    except CheckFailed as failure:
        say(f"FAILED: {failure}")
        for name in ("gunicorn", "worker", "beat"):
            say(f"--- the last of {name}'s log ---")
            print(run.log(name)[-4000:], flush=True)
    finally:
        run.clean_up()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
