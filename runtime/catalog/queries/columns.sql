-- Columns of the tables of tables.sql, with their attnum (the reader orders by it), except those
-- of partitions (a partition's columns are its parent's) and the inherited columns of an
-- inheriting table (attislocal = false: they are its parents'; unsupported.sql reports those that
-- differ from the parent's).
--
-- Type keys as in types.sql, computed once per distinct (type, typmod). identity: the parameters
-- of the identity sequence (pg_depend deptype 'i'). collation: only when it is not the type's
-- default. Defaults and generation expressions in PostgreSQL's canonical text (pg_get_expr).
WITH att AS (
  SELECT n.nspname AS schema, c.relname AS table_name, a.attrelid, a.attnum, a.attname,
         a.atttypid, a.atttypmod, a.attndims, a.attnotnull, a.attgenerated, a.attidentity,
         a.attcollation
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN scope n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p')
    AND NOT c.relispartition
    AND a.attislocal
    AND a.attnum > 0
    AND NOT a.attisdropped
    AND NOT EXISTS (SELECT FROM ext_member x
                    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
),
typ AS MATERIALIZED (
  SELECT t.atttypid, t.atttypmod,
         en.nspname AS type_schema, et.typname AS type_typname,
         format_type(et.oid, t.atttypmod) AS type_full,
         bt.typsubscript = 'array_subscript_handler'::regproc AS is_array,
         bt.typcollation AS base_collation
  FROM (SELECT DISTINCT atttypid, atttypmod FROM att) t
  JOIN pg_type bt ON bt.oid = t.atttypid
  JOIN pg_type et ON et.oid = CASE WHEN bt.typsubscript = 'array_subscript_handler'::regproc
                                   THEN bt.typelem ELSE bt.oid END
  JOIN pg_namespace en ON en.oid = et.typnamespace
)
SELECT a.schema,
       a.table_name AS table,
       a.attnum,
       a.attname AS name,
       ty.type_schema,
       ty.type_typname,
       ty.type_full,
       a.atttypmod AS type_typmod,
       CASE WHEN ty.is_array THEN greatest(a.attndims, 1) ELSE 0 END AS type_dims,
       a.attnotnull AS not_null,
       -- A default cannot refer to columns, so it needs no relation context (which would cost a
       -- relcache entry per table); a generation expression does.
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0, true) END AS default,
       CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid, true) END AS generated,
       a.attidentity AS identity,
       CASE WHEN a.attidentity <> '' THEN
         (SELECT json_build_object('type', format_type(s.seqtypid, NULL),
                                   'start', s.seqstart, 'increment', s.seqincrement,
                                   'min_value', s.seqmin, 'max_value', s.seqmax,
                                   'cache', s.seqcache, 'cycle', s.seqcycle)
          FROM pg_depend d
          JOIN pg_sequence s ON s.seqrelid = d.objid
          WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
            AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'i'
          LIMIT 1)
       END AS identity_params,
       CASE WHEN a.attcollation <> ty.base_collation THEN
         CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname
              ELSE cn.nspname || '.' || co.collname END
       END AS collation,
       ds.description AS comment
FROM att a
JOIN typ ty ON ty.atttypid = a.atttypid AND ty.atttypmod = a.atttypmod
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass
                          AND ds.objsubid = a.attnum
