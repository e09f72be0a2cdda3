"""moves and retired roles: a move rewrites the path columns of append-only rows; a role
whose grants are all revoked can be deleted

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 14:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A move (resolvers/orgs.py) sets `youthlink.org_move` for the length of its rewrite; then,
# and only then, an append-only or published row may change, and only in its path columns.
# (coalesce: on a connection where it was never set, current_setting gives NULL, and a NULL
# here would let `NOT (…)` pass as NULL, that is, not refuse.)
_PATH_ONLY = """(coalesce(current_setting('youthlink.org_move', true), '') = 'on'
    AND (to_jsonb(NEW) - 'org_path' - 'city_id') = (to_jsonb(OLD) - 'org_path' - 'city_id'))"""


def upgrade() -> None:
    op.execute(f"""
        CREATE OR REPLACE FUNCTION point_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND {_PATH_ONLY} THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'point_entries is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    op.execute(f"""
        CREATE OR REPLACE FUNCTION bulletins_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.published AND NOT (TG_OP = 'UPDATE' AND {_PATH_ONLY}) THEN
                RAISE EXCEPTION 'bulletin % is published and cannot change', OLD.id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$
    """)
    op.execute("GRANT UPDATE (org_path, city_id) ON point_entries TO youthlink_app")

    # Revoked grants are history and keep their role's name after the role is deleted; a
    # live grant still needs a live role, and a role with live grants cannot go. (A foreign
    # key cannot say "only while not revoked": two triggers do, locking the role row as a
    # key would.)
    op.drop_constraint("fk_grants_role_roles", "grants", type_="foreignkey")
    op.execute("""
        CREATE FUNCTION grants_role_exists() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.revoked_at IS NULL THEN
                PERFORM 1 FROM roles WHERE name = NEW.role FOR KEY SHARE;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'role % does not exist', NEW.role
                        USING ERRCODE = 'foreign_key_violation';
                END IF;
            END IF;
            RETURN NEW;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER grants_role_exists BEFORE INSERT OR UPDATE OF role, revoked_at ON grants
            FOR EACH ROW EXECUTE FUNCTION grants_role_exists()
    """)
    op.execute("""
        CREATE FUNCTION roles_not_granted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM grants WHERE role = OLD.name AND revoked_at IS NULL) THEN
                RAISE EXCEPTION 'role % is still granted', OLD.name
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            RETURN OLD;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER roles_not_granted BEFORE DELETE OR UPDATE OF name ON roles
            FOR EACH ROW EXECUTE FUNCTION roles_not_granted()
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS roles_not_granted ON roles")
    op.execute("DROP FUNCTION IF EXISTS roles_not_granted()")
    op.execute("DROP TRIGGER IF EXISTS grants_role_exists ON grants")
    op.execute("DROP FUNCTION IF EXISTS grants_role_exists()")
    op.create_foreign_key("fk_grants_role_roles", "grants", "roles", ["role"], ["name"])
    op.execute("REVOKE UPDATE (org_path, city_id) ON point_entries FROM youthlink_app")
    op.execute("""
        CREATE OR REPLACE FUNCTION bulletins_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.published THEN
                RAISE EXCEPTION 'bulletin % is published and cannot change', OLD.id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$
    """)
    op.execute("""
        CREATE OR REPLACE FUNCTION point_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'point_entries is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
