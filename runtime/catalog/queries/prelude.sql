-- Common table expressions in front of every catalog query: introspect.cpp sends this text, then
-- `SELECT <the first row as JSON>, q.* FROM (<query>) q`. So each query file is one plain SELECT
-- (it may have a WITH of its own) whose column aliases are the names its reader asks for.
--
--   scope(oid, nspname)         the schemas being read: those asked for ({{schemas}} is a text[]
--                               literal, or NULL for "every schema"), never PostgreSQL's own
--                               (pg_*, information_schema), schemac's own (schemac), or a schema
--                               that an extension created.
--   ext_member(classid, objid)  objects that belong to an extension (pg_depend deptype 'e'); they
--                               are the extension's business and never part of the model.
--
-- The queries run in one REPEATABLE READ transaction with search_path = pg_catalog, pg_temp, so
-- every name that pg_get_expr, pg_get_viewdef, format_type and regclass print outside pg_catalog
-- is schema-qualified, the same way on every database.
WITH scope AS (
  SELECT n.oid, n.nspname
  FROM pg_namespace n
  WHERE n.nspname !~ '^pg_'
    AND n.nspname NOT IN ('information_schema', 'schemac')
    AND ({{schemas}} IS NULL OR n.nspname = ANY ({{schemas}}))
    AND NOT EXISTS (SELECT FROM pg_depend d
                    WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid
                      AND d.deptype = 'e')
),
ext_member AS (
  SELECT d.classid, d.objid FROM pg_depend d WHERE d.deptype = 'e'
)
