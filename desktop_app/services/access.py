"""What the window may offer a person: asked of the services, which enforce the same rule on
every call (the window hides what would be refused; it never decides alone)."""

from __future__ import annotations

from desktop_app.domain.permissions import Actor, Permission, allows


def may(actor: Actor, permission: Permission) -> bool:
    """Whether the person's role allows the action (the services check it again when it runs)."""
    return allows(actor, permission)
