-- Sequences with their parameters and owning column (OWNED BY, also serial columns). Identity
-- sequences are left out: they are the identity parameters of their column (columns.sql).
SELECT n.nspname AS schema,
       c.relname AS name,
       format_type(s.seqtypid, NULL) AS type,
       s.seqstart AS start,
       s.seqincrement AS increment,
       s.seqmin AS min_value,
       s.seqmax AS max_value,
       s.seqcache AS cache,
       s.seqcycle AS cycle,
       own.table_schema AS owned_by_schema,
       own.table_name AS owned_by_table,
       own.column_name AS owned_by_column,
       ds.description AS comment
FROM pg_class c
JOIN scope n ON n.oid = c.relnamespace
JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass
                          AND ds.objsubid = 0
LEFT JOIN LATERAL (
  SELECT tn.nspname AS table_schema, tc.relname AS table_name, a.attname AS column_name,
         d.deptype
  FROM pg_depend d
  JOIN pg_class tc ON tc.oid = d.refobjid
  JOIN pg_namespace tn ON tn.oid = tc.relnamespace
  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
    AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
    AND d.deptype IN ('a', 'i')
  LIMIT 1
) own ON true
WHERE c.relkind = 'S'
  AND own.deptype IS DISTINCT FROM 'i'
  AND NOT EXISTS (SELECT FROM ext_member x
                  WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
