"""Accounts on the web: log in, log out, register and see one's own account.

Sessions are Flask-Login's, in Flask's signed cookie (HttpOnly, SameSite=Lax, Secure when
the request came over TLS), and expire after ``PERMANENT_SESSION_LIFETIME``; logging in
starts a new session, so a session id planted before login is worth nothing after it. Every state-
changing request needs Flask-WTF's CSRF token (a form field, or ``X-CSRFToken`` for JSON
calls); one without it gets 400. Failed logins are limited per account and per client
address, counted in the store so every worker process applies the same limit.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache, wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_babel import format_datetime, lazy_gettext, ngettext
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from wtforms import EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from locator import accounts, geodata, logins
from locator.accounts import NewUser, Role, User
from locator.errors import InvalidInput, LocatorError
from web import present
from web.db import get_store
from web.i18n import error_text, page_language

bp = Blueprint("account", __name__)
View = Callable[..., Any]

FIELD_MAX_CHARS = 200
# Verifying against a real hash when no account matches takes as long as a wrong password,
# so the time of an answer does not tell whether an e-mail has an account.
_DUMMY_HASH = accounts.hash_password(secrets.token_urlsafe(24))

ROLE_LABELS = {
    Role.ADMIN: lazy_gettext("Administrator"),
    Role.REVIEWER: lazy_gettext("Reviewer"),
    Role.PARTNER: lazy_gettext("Partner"),
}

csrf = CSRFProtect()
login_manager = LoginManager()


class SessionUser(UserMixin):
    """The logged-in person as Flask-Login needs them, around the store's ``User``."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return str(self.user.id)

    @property
    def is_active(self) -> bool:
        return self.user.active


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the Secure flag whenever TLS carried the request
    (behind a proxy, once it is trusted to say so).

    Most requests are searches that carry no session. Flask builds a new signing serializer
    for every request (its constructor signs an empty payload to learn the output type) and
    works out every cookie attribute before noticing there is nothing to save; together
    ~45 µs of a ~400 µs search. Here the serializer is kept until the keys change, and an
    empty, unchanged session is left alone at once, as Flask itself would leave it.
    """

    def __init__(self) -> None:
        self._signing: tuple[tuple[object, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        signing = self._signing
        if signing is None or signing[0] != keys:
            signing = self._signing = (keys, super().get_signing_serializer(app))
        return signing[1]

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:
            return
        super().save_session(app, session, response)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.session_interface = _SessionInterface()
    # Flask-WTF's own hook looks up the view's exemptions before the method on every
    # request; the check is the same, asked only of the methods that need a token.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(_check_csrf)
    login_manager.init_app(app)
    login_manager.login_view = "account.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.user_loader(_load_user)
    app.context_processor(_account_links)
    app.jinja_env.globals["role_label"] = ROLE_LABELS.__getitem__


def _check_csrf() -> None:
    if (request.method in current_app.config["WTF_CSRF_METHODS"]
            and current_app.config["WTF_CSRF_ENABLED"]):
        csrf.protect(apply_exemptions=True)


def _load_user(user_id: str) -> SessionUser | None:
    user = get_store().user(int(user_id)) if user_id.isdigit() else None
    return SessionUser(user) if user is not None and user.active else None


def _account_links() -> dict[str, Any]:
    return {"signed_in": current_user.is_authenticated}


def signed_in() -> User:
    """The logged-in person's account (views are guarded by ``login_required`` first)."""
    user: User = current_user.user
    return user


def roles_required(*roles: Role) -> Callable[[View], View]:
    """Log in first; then 403 unless the account has one of ``roles``."""
    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if signed_in().role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return login_required(guarded)
    return decorate


# -- forms ---------------------------------------------------------------------------------
class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("Work e-mail"),
                       validators=[DataRequired(), Length(max=FIELD_MAX_CHARS)])
    password = PasswordField(lazy_gettext("Password"),
                             validators=[DataRequired(),
                                         Length(max=accounts.MAX_PASSWORD_CHARS)])


class RegisterForm(FlaskForm):
    name = StringField(lazy_gettext("Your name"),
                       validators=[DataRequired(), Length(max=FIELD_MAX_CHARS)])
    organization = StringField(lazy_gettext("Organisation"),
                               validators=[DataRequired(), Length(max=FIELD_MAX_CHARS)])
    email = EmailField(lazy_gettext("Work e-mail"),
                       validators=[DataRequired(), Length(max=FIELD_MAX_CHARS)])
    phone = TelField(lazy_gettext("Phone"),
                     validators=[DataRequired(), Length(max=FIELD_MAX_CHARS)])
    # The reviewer of this county's area may verify the account.
    county_fips = SelectField(lazy_gettext("County your organisation is in"),
                              validators=[DataRequired()], validate_choice=False)
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[DataRequired(), Length(min=accounts.MIN_PASSWORD_CHARS,
                                           max=accounts.MAX_PASSWORD_CHARS)])
    confirm = PasswordField(
        lazy_gettext("Password again"),
        validators=[DataRequired(), EqualTo("password",
                                            message=lazy_gettext("The passwords differ."))])

    def validate_email(self, field: EmailField) -> None:
        try:
            field.data = accounts.normalize_email(field.data or "")
        except InvalidInput as error:
            raise ValidationError(error_text(error)) from None

    def validate_county_fips(self, field: SelectField) -> None:
        try:
            geodata.county(field.data or "")
        except LocatorError:
            raise ValidationError(lazy_gettext("Choose a county from the list.")) from None


@cache
def county_groups(language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every county, by state, named in ``language`` (the page's, which the translation
    of each name follows): the registration's choices, worked out once per language."""
    by_state: dict[str, list[tuple[str, str]]] = {}
    for county in geodata.counties():
        by_state.setdefault(county.state_name, []).append(
            (county.fips, present.area_name(county.fips, county.full_name)))
    return sorted(by_state.items())


# -- views ---------------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("account/login.html", form=form)
    email = form.email.data.strip().lower()
    keys = [logins.account_key(email), logins.address_key(_client_address(request))]
    now_s = time.time()
    store = get_store()
    wait_s = logins.retry_after_s(store, keys, now_s)
    if wait_s:
        return _too_many_attempts(form, now_s, wait_s)
    user = store.user_by_email(email)
    if not accounts.verify_password(user.password_hash if user else _DUMMY_HASH,
                                    form.password.data):
        logins.record_failure(store, keys, now_s)
        return render_template("account/login.html", form=form, failed=True), 401
    assert user is not None
    logins.record_success(store, email)
    if not user.active:
        return render_template("account/login.html", form=form, inactive=user.status), 403
    if accounts.needs_rehash(user.password_hash):
        user = store.update_user(user.id, actor=user.email,
                                 password_hash=accounts.hash_password(form.password.data))
    _start_session(user)
    return redirect(_safe_next(request.args.get("next")) or url_for("account.account"))


def _start_session(user: User) -> None:
    """A new session for the person who just logged in: nothing of the old one is kept (the
    language choice is a cookie of its own), and a fresh random id tells the two apart."""
    session.clear()
    login_user(SessionUser(user))
    session.permanent = True
    session["sid"] = secrets.token_urlsafe(16)


def _too_many_attempts(form: LoginForm, now_s: float, wait_s: int):
    retry_at = datetime.fromtimestamp(now_s + wait_s, UTC)
    minutes = max(1, -(-wait_s // 60))
    message = ngettext(
        "Too many failed logins. Try again in %(num)s minute, at %(time)s.",
        "Too many failed logins. Try again in %(num)s minutes, at %(time)s.",
        minutes, time=format_datetime(retry_at, "short"))
    page = render_template("account/login.html", form=form, locked=message)
    return page, 429, {"Retry-After": str(wait_s)}


def _client_address(req: Request) -> str:
    return req.remote_addr or "unknown"


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: a link that sends people elsewhere after login is refused."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "POST":
        logout_user()
        session.clear()
        return redirect(url_for("public.search"))
    return render_template("account/logout.html")


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if not form.validate_on_submit():
        return _register_page(form)
    new = NewUser(email=form.email.data, name=form.name.data.strip(),
                  organization=form.organization.data.strip(), phone=form.phone.data.strip(),
                  county_fips=form.county_fips.data)
    try:
        accounts.check_password(form.password.data)
        get_store().add_user(new, accounts.hash_password(form.password.data), actor=new.email)
    except InvalidInput as error:
        field = form.email if error.code == "email_taken" else form.password
        field.errors = [*field.errors, error_text(error)]
        return _register_page(form), 400
    return render_template("account/registered.html", email=new.email), 201


def _register_page(form: RegisterForm) -> str:
    return render_template("account/register.html", form=form,
                           county_groups=county_groups(page_language()))


@bp.get("/account")
@login_required
def account():
    return render_template("account/account.html", user=current_user.user)
