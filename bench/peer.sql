-- The peer (PostGraphile 5) on the bench database: a login role that row-level security
-- applies to, the same subtree rule as authz/ for the same principal, and the functions an
-- expert PostGraphile user would write for the shapes of `make bench-peer`.
-- Idempotent: run before every bench-peer run. Only the bench database gets this.

DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'peer_visitor') THEN
    CREATE ROLE peer_visitor LOGIN PASSWORD 'peer' NOSUPERUSER NOBYPASSRLS;
  END IF;
END $$;

CREATE SCHEMA IF NOT EXISTS peer;
GRANT USAGE ON SCHEMA public, peer TO peer_visitor;
GRANT SELECT ON orgs, youth, cadres, work_logs, contacts TO peer_visitor;
GRANT INSERT ON work_logs, work_log_participants, point_entries TO peer_visitor;
-- The per-day rollup of logs (work_log_days) is kept by a trigger on work_logs that runs as
-- the writer: the peer's write keeps it too, as this server's does.
GRANT SELECT, INSERT, UPDATE ON work_log_days TO peer_visitor;
-- Foreign keys into the partitioned work_logs point at work_log_keys (migration 0027), kept
-- by a statement trigger on work_logs that also runs as the writer.
GRANT SELECT, INSERT ON work_log_keys TO peer_visitor;

-- The principal's subtree roots for (object, view), read once per statement: the setting is
-- read in a sub-select and the policies call this in a sub-select too (an InitPlan), so the
-- planner keeps `org_path <@ ANY(roots)` on the GiST index, as authz/ scope() does.
CREATE OR REPLACE FUNCTION peer.roots(obj text) RETURNS ltree[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT coalesce(array_agg(g.org_path), '{}')
  FROM grants g JOIN role_permissions p ON p.role = g.role
  WHERE g.user_id = (SELECT nullif(current_setting('jwt.claims.sub', true), '')::bigint)
    AND p.object = obj AND p.action = 'view'
    AND g.revoked_at IS NULL
    AND (g.starts_at IS NULL OR g.starts_at <= now())
    AND (g.ends_at IS NULL OR g.ends_at > now())
$$;

-- The caller's own active cadre record (for the write).
CREATE OR REPLACE FUNCTION peer.my_cadre() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id FROM cadres
  WHERE user_id = (SELECT nullif(current_setting('jwt.claims.sub', true), '')::bigint) AND is_active
$$;

ALTER TABLE orgs ENABLE ROW LEVEL SECURITY;
ALTER TABLE youth ENABLE ROW LEVEL SECURITY;
ALTER TABLE cadres ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_log_participants ENABLE ROW LEVEL SECURITY;
ALTER TABLE point_entries ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS peer_view ON orgs;
CREATE POLICY peer_view ON orgs FOR SELECT TO peer_visitor
  USING (path <@ ANY ((SELECT peer.roots('org'))));
DROP POLICY IF EXISTS peer_view ON youth;
CREATE POLICY peer_view ON youth FOR SELECT TO peer_visitor
  USING (org_path <@ ANY ((SELECT peer.roots('youth'))));
DROP POLICY IF EXISTS peer_view ON cadres;
CREATE POLICY peer_view ON cadres FOR SELECT TO peer_visitor
  USING (org_path <@ ANY ((SELECT peer.roots('cadre'))) OR id = (SELECT peer.my_cadre()));
DROP POLICY IF EXISTS peer_view ON work_logs;
CREATE POLICY peer_view ON work_logs FOR SELECT TO peer_visitor
  USING (org_path <@ ANY ((SELECT peer.roots('work'))) OR cadre_id = (SELECT peer.my_cadre()));
DROP POLICY IF EXISTS peer_view ON contacts;
CREATE POLICY peer_view ON contacts FOR SELECT TO peer_visitor
  USING (org_path <@ ANY ((SELECT peer.roots('work'))) OR cadre_id = (SELECT peer.my_cadre()));
-- A cadre writes logs only as themselves, about their own ACTIVE youth.
DROP POLICY IF EXISTS peer_write ON work_logs;
CREATE POLICY peer_write ON work_logs FOR INSERT TO peer_visitor
  WITH CHECK (cadre_id = (SELECT peer.my_cadre()) AND (youth_id IS NULL OR EXISTS (
    SELECT FROM contacts c WHERE c.cadre_id = work_logs.cadre_id AND c.youth_id = work_logs.youth_id
      AND c.status = 'ACTIVE')));
DROP POLICY IF EXISTS peer_write ON work_log_participants;
CREATE POLICY peer_write ON work_log_participants FOR INSERT TO peer_visitor WITH CHECK (true);
DROP POLICY IF EXISTS peer_write ON point_entries;
CREATE POLICY peer_write ON point_entries FOR INSERT TO peer_visitor
  WITH CHECK (cadre_id = (SELECT peer.my_cadre()));

-- youth, contacts and work_logs are partitioned by city (migration 0027): an org's rows are
-- in its city's partition, the province's in any. The city is given as `city_id = (SELECT
-- …)` so that the planner prunes the other cities' partitions when the statement starts, as
-- it does for authz/'s statements (which carry the city from the principal's grants); the
-- province's branch runs only for the province (a one-time filter).
CREATE OR REPLACE FUNCTION peer.youth_under(under bigint) RETURNS SETOF youth
LANGUAGE sql STABLE AS $$
  SELECT y.* FROM youth y
  WHERE y.org_path <@ (SELECT path FROM orgs WHERE id = under)
    AND y.city_id = (SELECT city_id FROM orgs WHERE id = under AND level <> 'PROVINCE')
  UNION ALL
  SELECT y.* FROM youth y
  WHERE (SELECT level FROM orgs WHERE id = under) = 'PROVINCE'
  ORDER BY id
$$;
CREATE OR REPLACE FUNCTION peer.work_logs_under(under bigint) RETURNS SETOF work_logs
LANGUAGE sql STABLE AS $$
  SELECT l.* FROM work_logs l
  WHERE l.org_path <@ (SELECT path FROM orgs WHERE id = under) AND l.deleted_at IS NULL
    AND l.city_id = (SELECT city_id FROM orgs WHERE id = under AND level <> 'PROVINCE')
  UNION ALL
  SELECT l.* FROM work_logs l
  WHERE (SELECT level FROM orgs WHERE id = under) = 'PROVINCE' AND l.deleted_at IS NULL
  ORDER BY id
$$;

-- The headline of an org's dashboard over the last four weeks (a computed column), the same
-- figures and predicates as resolvers/dashboards.py.
DROP FUNCTION IF EXISTS public.orgs_headline(orgs);
DROP TYPE IF EXISTS peer.headline;
CREATE TYPE peer.headline AS (cadres int, active_cadres int, youth_in_contact int, logs int);
CREATE OR REPLACE FUNCTION public.orgs_headline(r orgs) RETURNS peer.headline
LANGUAGE sql STABLE AS $$
  WITH p AS (
    SELECT ((now() AT TIME ZONE 'Asia/Shanghai')::date - 27)::timestamp AT TIME ZONE 'Asia/Shanghai' AS start,
           ((now() AT TIME ZONE 'Asia/Shanghai')::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' AS stop
  )
  SELECT
    (SELECT count(*) FROM cadres c WHERE c.org_path <@ r.path AND c.is_active)::int,
    (SELECT count(DISTINCT l.cadre_id) FROM work_logs l, p WHERE l.org_path <@ r.path
       AND (r.level = 'PROVINCE' OR l.city_id = r.city_id) AND l.deleted_at IS NULL AND l.occurred_at >= p.start AND l.occurred_at < p.stop)::int,
    (SELECT count(DISTINCT ct.youth_id) FROM contacts ct WHERE ct.org_path <@ r.path
       AND (r.level = 'PROVINCE' OR ct.city_id = r.city_id) AND ct.status = 'ACTIVE')::int,
    (SELECT count(*) FROM work_logs l, p WHERE l.org_path <@ r.path
       AND (r.level = 'PROVINCE' OR l.city_id = r.city_id) AND l.deleted_at IS NULL AND l.occurred_at >= p.start AND l.occurred_at < p.stop)::int
$$;

-- The points of a record, within the day's cap for its kind, as resolvers/points.award does:
-- the cadre's row locked FOR NO KEY UPDATE (one cadre's awards queue behind each other, so
-- two at once cannot both pass the cap), then the capped entry computed by the database.
-- SECURITY DEFINER: the lock needs UPDATE on cadres, which the visitor has not.
CREATE OR REPLACE FUNCTION peer.award(c cadres, src text, src_id bigint, on_day date)
RETURNS int LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  credited int;
BEGIN
  PERFORM 1 FROM cadres k WHERE k.id = c.id
    AND EXISTS (SELECT FROM point_rules r WHERE r.source = src AND r.points > 0)
    FOR NO KEY UPDATE OF k;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  INSERT INTO point_entries (cadre_id, source, source_id, points, day, org_id, org_path, city_id)
  SELECT c.id, r.source, src_id, least(r.points, r.daily_cap - e.earned), on_day,
         c.org_id, c.org_path, c.city_id
    FROM point_rules r,
         (SELECT coalesce(sum(p.points), 0) AS earned FROM point_entries p
           WHERE p.cadre_id = c.id AND p.source = src AND p.day = on_day) e
   WHERE r.source = src AND least(r.points, r.daily_cap - e.earned) > 0
  RETURNING points INTO credited;
  RETURN coalesce(credited, 0);
END $$;

-- The write: log a contact as oneself with one's own ACTIVE youth, its participant row and
-- its points, as resolvers/worklogs.log_contact does (audit entry aside).
CREATE OR REPLACE FUNCTION peer.log_contact(youth_id bigint, channel text, content text,
                                            occurred_at timestamptz) RETURNS work_logs
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  c cadres;
  l work_logs;
BEGIN
  SELECT * INTO c FROM cadres WHERE id = (SELECT peer.my_cadre());
  INSERT INTO work_logs (cadre_id, kind, youth_id, channel, content, place, occurred_at,
                         participant_count, client, org_id, org_path, city_id)
  VALUES (c.id, 'CONTACT', log_contact.youth_id, log_contact.channel, log_contact.content, '',
          log_contact.occurred_at, 1, 'WEB', c.org_id, c.org_path, c.city_id)
  RETURNING * INTO l;
  INSERT INTO work_log_participants (log_id, youth_id) VALUES (l.id, log_contact.youth_id);
  PERFORM peer.award(c, 'CONTACT_LOG', l.id, (now() AT TIME ZONE 'Asia/Shanghai')::date);
  RETURN l;
END $$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA peer TO peer_visitor;
GRANT EXECUTE ON FUNCTION public.orgs_headline(orgs) TO peer_visitor;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO peer_visitor;
