-- Privileges granted explicitly, one row per privilege and grantee (aclexplode), on the schemas,
-- relations (tables, views, materialized views, sequences), columns, functions, procedures and
-- types (enums, domains, composite types) in scope.
--
-- What counts is the difference between an object's ACL and the privileges it would have anyway:
-- its initial privileges (pg_init_privs: objects initdb created, such as the public schema) or
-- else the built-in defaults (acldefault: everything for the owner; EXECUTE on functions and
-- USAGE on types for PUBLIC). A NULL ACL is exactly that default. Privileges of the owner are never
-- listed: an owner holds every privilege implicitly, and the model has no owners.
-- revoked = true marks a default privilege that was revoked (e.g. EXECUTE from PUBLIC): the model
-- cannot say that, so the reader reports it as unsupported.
WITH object AS (
  SELECT 'relation' AS class, c.oid, n.nspname AS schema, c.relname AS name, NULL::name AS column,
         c.relowner AS owner, c.relacl AS acl,
         coalesce((SELECT ip.initprivs FROM pg_init_privs ip
                   WHERE ip.classoid = 'pg_class'::regclass AND ip.objoid = c.oid
                     AND ip.objsubid = 0),
                  acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
           AS base
  FROM pg_class c
  JOIN scope n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relacl IS NOT NULL
    AND NOT EXISTS (SELECT FROM ext_member x
                    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
  UNION ALL
  SELECT 'column', c.oid, n.nspname, c.relname, a.attname, c.relowner, a.attacl,
         coalesce((SELECT ip.initprivs FROM pg_init_privs ip
                   WHERE ip.classoid = 'pg_class'::regclass AND ip.objoid = c.oid
                     AND ip.objsubid = a.attnum),
                  acldefault('c', c.relowner))
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN scope n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attacl IS NOT NULL
    AND NOT EXISTS (SELECT FROM ext_member x
                    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
  UNION ALL
  SELECT 'schema', s.oid, NULL, s.nspname, NULL, ns.nspowner, ns.nspacl,
         coalesce((SELECT ip.initprivs FROM pg_init_privs ip
                   WHERE ip.classoid = 'pg_namespace'::regclass AND ip.objoid = s.oid
                     AND ip.objsubid = 0),
                  acldefault('n', ns.nspowner))
  FROM scope s
  JOIN pg_namespace ns ON ns.oid = s.oid
  WHERE ns.nspacl IS NOT NULL
  UNION ALL
  SELECT CASE WHEN p.prokind = 'p' THEN 'procedure' ELSE 'function' END, p.oid, n.nspname,
         p.proname, NULL, p.proowner, p.proacl,
         coalesce((SELECT ip.initprivs FROM pg_init_privs ip
                   WHERE ip.classoid = 'pg_proc'::regclass AND ip.objoid = p.oid
                     AND ip.objsubid = 0),
                  acldefault('f', p.proowner))
  FROM pg_proc p
  JOIN scope n ON n.oid = p.pronamespace
  WHERE p.proacl IS NOT NULL
    AND NOT EXISTS (SELECT FROM ext_member x
                    WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid)
  UNION ALL
  SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' ELSE 'composite' END,
         t.oid, n.nspname, t.typname, NULL, t.typowner, t.typacl,
         coalesce((SELECT ip.initprivs FROM pg_init_privs ip
                   WHERE ip.classoid = 'pg_type'::regclass AND ip.objoid = t.oid
                     AND ip.objsubid = 0),
                  acldefault('T', t.typowner))
  FROM pg_type t
  JOIN scope n ON n.oid = t.typnamespace
  WHERE t.typacl IS NOT NULL
    AND (t.typtype IN ('e', 'd')
         OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
    AND NOT EXISTS (SELECT FROM ext_member x
                    WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid)
)
SELECT o.class, o.oid, o.schema, o.name, o.column,
       coalesce(r.rolname, CASE WHEN g.grantee = 0 THEN 'public' END) AS grantee,
       g.privilege_type AS privilege,
       g.is_grantable AS with_grant_option,
       g.revoked
FROM object o
CROSS JOIN LATERAL (
  (SELECT e.grantee, e.privilege_type, e.is_grantable, false AS revoked
   FROM (SELECT a.grantee, a.privilege_type, a.is_grantable FROM aclexplode(o.acl) a
         EXCEPT
         SELECT b.grantee, b.privilege_type, b.is_grantable FROM aclexplode(o.base) b) e)
  UNION ALL
  (SELECT e.grantee, e.privilege_type, e.is_grantable, true
   FROM (SELECT b.grantee, b.privilege_type, b.is_grantable FROM aclexplode(o.base) b
         EXCEPT
         SELECT a.grantee, a.privilege_type, a.is_grantable FROM aclexplode(o.acl) a) e)
) g
LEFT JOIN pg_roles r ON r.oid = g.grantee
WHERE g.grantee <> o.owner
