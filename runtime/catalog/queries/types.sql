-- Enums (values in sort order), domains (base type, collation, default, not null, checks) and
-- composite types (fields in order). Array types, table row types and extension types are left out;
-- range and base types are reported by unsupported.sql.
--
-- A type is described by five keys (here with prefixes): <p>schema and <p>typname of the element
-- type (the type itself unless it is an array), <p>full = format_type(element, typmod) (canonical
-- name with modifiers), <p>typmod, <p>dims (array dimensions, 0 for a scalar).
SELECT t.oid,
       CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' ELSE 'composite' END AS kind,
       n.nspname AS schema,
       t.typname AS name,
       obj_description(t.oid, 'pg_type') AS comment,
       -- enum
       (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder)
        FROM pg_enum e WHERE e.enumtypid = t.oid) AS values,
       -- domain
       bty.type_schema AS base_schema,
       bty.type_typname AS base_typname,
       bty.type_full AS base_full,
       t.typtypmod AS base_typmod,
       CASE WHEN bty.is_array THEN greatest(t.typndims, 1) ELSE 0 END AS base_dims,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> bty.base_collation THEN
         (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname
                      ELSE cn.nspname || '.' || co.collname END
          FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
          WHERE co.oid = t.typcollation)
       END AS collation,
       pg_get_expr(t.typdefaultbin, 0, true) AS default,
       t.typnotnull AS not_null,
       (SELECT json_agg(json_build_object('name', c.conname,
                                          'expression', pg_get_expr(c.conbin, 0, true),
                                          'validated', c.convalidated)
                        ORDER BY c.conname)
        FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c') AS checks,
       -- composite
       (SELECT json_agg(json_build_object(
                 'name', a.attname,
                 'type_schema', fty.type_schema,
                 'type_typname', fty.type_typname,
                 'type_full', fty.type_full,
                 'type_typmod', a.atttypmod,
                 'type_dims', CASE WHEN fty.is_array THEN greatest(a.attndims, 1) ELSE 0 END,
                 'collation', CASE WHEN a.attcollation <> fty.base_collation THEN
                   (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname
                                ELSE cn.nspname || '.' || co.collname END
                    FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                    WHERE co.oid = a.attcollation)
                 END)
               ORDER BY a.attnum)
        FROM pg_attribute a
        LEFT JOIN LATERAL (
          SELECT en.nspname AS type_schema, et.typname AS type_typname,
                 format_type(et.oid, a.atttypmod) AS type_full,
                 bt.typsubscript = 'array_subscript_handler'::regproc AS is_array,
                 bt.typcollation AS base_collation
          FROM pg_type bt
          JOIN pg_type et ON et.oid = CASE WHEN bt.typsubscript = 'array_subscript_handler'::regproc
                                           THEN bt.typelem ELSE bt.oid END
          JOIN pg_namespace en ON en.oid = et.typnamespace
          WHERE bt.oid = a.atttypid
        ) fty ON true
        WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0
          AND NOT a.attisdropped) AS fields
FROM pg_type t
JOIN scope n ON n.oid = t.typnamespace
LEFT JOIN LATERAL (
  SELECT en.nspname AS type_schema, et.typname AS type_typname,
         format_type(et.oid, t.typtypmod) AS type_full,
         bt.typsubscript = 'array_subscript_handler'::regproc AS is_array,
         bt.typcollation AS base_collation
  FROM pg_type bt
  JOIN pg_type et ON et.oid = CASE WHEN bt.typsubscript = 'array_subscript_handler'::regproc
                                   THEN bt.typelem ELSE bt.oid END
  JOIN pg_namespace en ON en.oid = et.typnamespace
  WHERE bt.oid = t.typbasetype
) bty ON t.typtype = 'd'
WHERE (t.typtype IN ('e', 'd')
       OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
  AND NOT EXISTS (SELECT FROM ext_member x
                  WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid)
