-- Tables and partitioned tables: persistence, storage parameters (reloptions), row level security,
-- partitioning (the key of a partitioned table; the parent and bound of a partition), inheritance
-- parents and the comment. Columns, constraints
-- and indexes have queries of their own.
--
-- partition_keys: one object per key element; `column` is set for a plain column, otherwise the
-- element is an expression, whose text the reader takes from partkeydef (pg_get_partkeydef).
-- opclass and collation only when they are not the defaults.
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relpersistence = 'u' AS unlogged,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       to_json(c.reloptions) AS storage,
       pt.partstrat AS partition_strategy,
       CASE WHEN pt.partrelid IS NOT NULL THEN pg_get_partkeydef(c.oid) END AS partkeydef,
       (SELECT json_agg(json_build_object(
                 'column', a.attname,
                 'opclass_schema', CASE WHEN NOT oc.opcdefault THEN ocn.nspname END,
                 'opclass', CASE WHEN NOT oc.opcdefault THEN oc.opcname END,
                 'collation', CASE WHEN pt.partcollation[k.i] <> 0
                                    AND pt.partcollation[k.i] <> coalesce(a.attcollation, 0)
                                    AND pt.partcollation[k.i] <> oct.typcollation THEN
                   (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname
                                ELSE cn.nspname || '.' || co.collname END
                    FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                    WHERE co.oid = pt.partcollation[k.i])
                 END)
               ORDER BY k.i)
        FROM generate_series(0, pt.partnatts - 1) k(i)
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = pt.partattrs[k.i]
                                AND pt.partattrs[k.i] <> 0
        JOIN pg_opclass oc ON oc.oid = pt.partclass[k.i]
        JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
        JOIN pg_type oct ON oct.oid = oc.opcintype) AS partition_keys,
       pn.nspname AS parent_schema,
       pc.relname AS parent_name,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       -- Inheritance parents of a table that is not a partition, in inhseqno order.
       CASE WHEN NOT c.relispartition THEN
         (SELECT json_agg(json_build_object('schema', hn.nspname, 'name', hc.relname)
                          ORDER BY h.inhseqno)
          FROM pg_inherits h
          JOIN pg_class hc ON hc.oid = h.inhparent
          JOIN pg_namespace hn ON hn.oid = hc.relnamespace
          WHERE h.inhrelid = c.oid)
       END AS inherits,
       ds.description AS comment,
       -- Estimates kept by VACUUM and ANALYZE (free to read; -1 rows: never analyzed), for the
       -- hazards of a plan.
       c.reltuples::bigint AS estimated_rows,
       c.relpages::bigint * current_setting('block_size')::bigint AS estimated_bytes
FROM pg_class c
JOIN scope n ON n.oid = c.relnamespace
LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_class pc ON pc.oid = i.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass
                          AND ds.objsubid = 0
WHERE c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT FROM ext_member x
                  WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
