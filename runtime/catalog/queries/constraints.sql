-- Table constraints: primary key, unique, foreign key, check, exclusion (NOT NULL is a column
-- property in PostgreSQL 15; constraint triggers are in triggers.sql). Left out: constraints a
-- partition inherits from its parent (conparentid <> 0 for keys, conislocal = false for checks),
-- which the parent's constraint stands for.
--
-- Column lists are name[] (one index lookup per column: cheaper than joining and aggregating).
-- The index-related parts of primary keys, unique and exclusion constraints (include columns,
-- nulls not distinct, elements, method, predicate) come from indexes.sql, which also lists the
-- indexes behind constraints.
SELECT n.nspname AS schema,
       c.relname AS table,
       con.conname AS name,
       con.contype AS kind,
       ARRAY(SELECT (SELECT a.attname FROM pg_attribute a
                     WHERE a.attrelid = con.conrelid AND a.attnum = k.attnum)
             FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord) ORDER BY k.ord) AS columns,
       rn.nspname AS ref_schema,
       rc.relname AS ref_table,
       ARRAY(SELECT (SELECT a.attname FROM pg_attribute a
                     WHERE a.attrelid = con.confrelid AND a.attnum = k.attnum)
             FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord) ORDER BY k.ord) AS ref_columns,
       con.confmatchtype AS match,
       con.confdeltype AS on_delete,
       con.confupdtype AS on_update,
       ARRAY(SELECT (SELECT a.attname FROM pg_attribute a
                     WHERE a.attrelid = con.conrelid AND a.attnum = k.attnum)
             FROM unnest(con.confdelsetcols) WITH ORDINALITY k(attnum, ord) ORDER BY k.ord)
         AS on_delete_set_columns,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid, true) END AS check,
       con.connoinherit AS no_inherit,
       con.condeferrable AS deferrable,
       con.condeferred AS deferred,
       con.convalidated AS validated,
       ds.description AS comment
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN scope n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = con.oid AND ds.classoid = 'pg_constraint'::regclass
                          AND ds.objsubid = 0
WHERE con.contype IN ('p', 'u', 'f', 'c', 'x')
  AND c.relkind IN ('r', 'p')
  AND con.conparentid = 0
  AND (con.conislocal OR con.coninhcount = 0)
  AND NOT EXISTS (SELECT FROM ext_member x
                  WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
