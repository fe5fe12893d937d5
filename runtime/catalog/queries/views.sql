-- Views and materialized views: column names, options (reloptions, including check_option),
-- the query as pg_get_viewdef(oid, true) prints it, and the comment.
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relkind = 'm' AS materialized,
       (SELECT json_agg(a.attname ORDER BY a.attnum)
        FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       to_json(c.reloptions) AS options,
       pg_get_viewdef(c.oid, true) AS query,
       ds.description AS comment
FROM pg_class c
JOIN scope n ON n.oid = c.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass
                          AND ds.objsubid = 0
WHERE c.relkind IN ('v', 'm')
  AND NOT EXISTS (SELECT FROM ext_member x
                  WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
