-- Triggers of tables and views, except internal ones (foreign keys, deferrable uniques) and the
-- clones a partition gets of its parent's triggers (tgparentid <> 0).
--
-- tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate, 64 instead of.
-- args: tgargs as hex; each argument ends in a zero byte. definition: pg_get_triggerdef, from
-- which the reader takes the WHEN condition (has_when says whether there is one).
SELECT n.nspname AS schema,
       c.relname AS table,
       t.tgname AS name,
       t.tgtype AS type,
       t.tgconstraint <> 0 AS constraint_trigger,
       (SELECT json_agg(a.attname ORDER BY k.ord)
        FROM unnest(t.tgattr::int2[]) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.attnum) AS update_columns,
       t.tgoldtable AS referencing_old,
       t.tgnewtable AS referencing_new,
       t.tgqual IS NOT NULL AS has_when,
       pg_get_triggerdef(t.oid, true) AS definition,
       fn.nspname AS function_schema,
       f.proname AS function_name,
       encode(t.tgargs, 'hex') AS args,
       t.tgnargs AS nargs,
       t.tgdeferrable AS deferrable,
       t.tginitdeferred AS deferred,
       ds.description AS comment
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN scope n ON n.oid = c.relnamespace
JOIN pg_proc f ON f.oid = t.tgfoid
JOIN pg_namespace fn ON fn.oid = f.pronamespace
LEFT JOIN pg_description ds ON ds.objoid = t.oid AND ds.classoid = 'pg_trigger'::regclass
                          AND ds.objsubid = 0
WHERE NOT t.tgisinternal
  AND t.tgparentid = 0
  AND c.relkind IN ('r', 'p', 'v')
  AND NOT EXISTS (SELECT FROM ext_member x
                  WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
