-- Row level security policies. roles: sorted role names, 'public' for PUBLIC (oid 0).
SELECT n.nspname AS schema,
       c.relname AS table,
       p.polname AS name,
       p.polpermissive AS permissive,
       CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update'
                     WHEN 'd' THEN 'delete' ELSE 'all' END AS command,
       (SELECT json_agg(coalesce(r.rolname, 'public') ORDER BY coalesce(r.rolname, 'public'))
        FROM unnest(p.polroles) k(oid)
        LEFT JOIN pg_roles r ON r.oid = k.oid) AS roles,
       pg_get_expr(p.polqual, p.polrelid, true) AS using,
       pg_get_expr(p.polwithcheck, p.polrelid, true) AS with_check,
       ds.description AS comment
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN scope n ON n.oid = c.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = p.oid AND ds.classoid = 'pg_policy'::regclass
                          AND ds.objsubid = 0
WHERE NOT EXISTS (SELECT FROM ext_member x
                  WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
