"""``greenrong keys``: API keys for systems (``domain/access/keys.py``)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import click

from greenrong.cli import kit

_ROLES = click.Choice(
    ["ENTERPRISE", "INSTITUTION", "EXPERT", "REGULATOR", "PARTNER", "ADMIN"], case_sensitive=False
)


@click.group()
def keys() -> None:
    """API keys: create (the key is shown once), list, revoke."""


@keys.command("create")
@click.option("--role", required=True, type=_ROLES, help="The key's role.")
@click.option(
    "--org",
    "org_id",
    default=None,
    help="The enterprise, institution or expert the key acts for (those roles need it): its "
    "UUID, or its global id as GraphQL shows it.",
)
@click.option("--name", default="", help="A name to recognise the key by.")
@click.option(
    "--expires-in",
    "expires_in_days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Days until the key expires (default: never).",
)
def keys_create(role: str, org_id: str | None, name: str, expires_in_days: int | None) -> None:
    """Create a key and print it. Only its hash is stored: copy it now."""
    from datetime import timedelta

    from greenrong.core.errors import ValidationFailed
    from greenrong.domain.access.keys import create_key
    from greenrong.domain.access.principal import Role

    org = None if org_id is None else _org_id(org_id, Role(role.upper()))

    async def run() -> tuple[str, str]:
        async with kit.session() as session, session.begin():
            new = await create_key(
                session,
                role=Role(role.upper()),
                org_id=org,
                name=name,
                expires_in=None if expires_in_days is None else timedelta(days=expires_in_days),
            )
        return str(new.row.id), new.secret

    try:
        key_id, secret = asyncio.run(run())
    except ValidationFailed as error:
        raise click.UsageError(error.message) from error
    kit.report(f"created key {key_id} ({role.upper()}); it is shown only this once:")
    click.echo(secret)


def _org_id(text: str, role: Any) -> uuid.UUID:
    """``--org``: a bare UUID, or the global id of the role's kind of organisation."""
    from greenrong.core.errors import ValidationFailed
    from greenrong.domain.access.principal import Role
    from greenrong.schema.kit.ids import parse_either

    kind = {
        Role.ENTERPRISE: "Enterprise",
        Role.INSTITUTION: "FinancialInstitution",
        Role.EXPERT: "Expert",
    }.get(role, "Enterprise")
    try:
        return parse_either(text.strip(), kind)
    except ValidationFailed as error:
        raise click.BadParameter(error.issues[0].message, param_hint="--org") from error


@keys.command("list")
def keys_list() -> None:
    """List keys (never the secrets): id, prefix, role, org, name, expiry, last use, state."""
    from greenrong.domain.access.keys import list_keys
    from greenrong.domain.kit.types import utcnow

    def when(value: object) -> str:
        return "-" if value is None else value.isoformat(timespec="seconds")  # type: ignore[attr-defined]

    async def run() -> list[list[str]]:
        async with kit.session() as session:
            rows = await list_keys(session)
        now = utcnow()
        return [
            [
                str(k.id),
                k.prefix + "…",
                k.role.value,
                "-" if k.org_id is None else str(k.org_id),
                k.name,
                when(k.expires_at),
                when(k.last_used_at),
                "revoked"
                if k.revoked_at is not None
                else "expired"
                if k.expires_at is not None and k.expires_at <= now
                else "active",
            ]
            for k in rows
        ]

    rows = asyncio.run(run())
    if not rows:
        kit.report("no API keys")
        return
    kit.echo_table(["ID", "KEY", "ROLE", "ORG", "NAME", "EXPIRES", "LAST USED", "STATE"], rows)


@keys.command("revoke")
@click.argument("key_id", metavar="ID", type=click.UUID)
def keys_revoke(key_id: uuid.UUID) -> None:
    """Revoke a key: requests with it fail (401) from now on."""
    from greenrong.core.errors import NotFound
    from greenrong.domain.access.keys import revoke_key

    async def run() -> None:
        async with kit.session() as session, session.begin():
            await revoke_key(session, id=key_id)

    try:
        asyncio.run(run())
    except NotFound as error:
        raise click.UsageError(error.message) from error
    kit.report(f"revoked key {key_id}")


@keys.command("ensure-demo-admin")
def keys_ensure_demo_admin() -> None:
    """Create an admin key and print it, unless an admin key exists (for `make run`)."""
    from greenrong.domain.access.keys import ensure_demo_admin

    async def run() -> str | None:
        async with kit.session() as session, session.begin():
            new = await ensure_demo_admin(session)
        return None if new is None else new.secret

    secret = asyncio.run(run())
    if secret is not None:
        kit.report("demo admin API key (shown once; `greenrong keys list` manages keys):")
        click.echo(f"  curl -H 'Authorization: Bearer {secret}' …")
        click.echo(secret)
