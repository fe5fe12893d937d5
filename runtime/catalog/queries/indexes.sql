-- Indexes of tables and materialized views, including those behind primary key, unique and
-- exclusion constraints (`constraint` names the constraint; the reader folds those into the
-- constraint instead of listing them as indexes). Left out: a partition's indexes attached to an
-- index of its parent (pg_inherits), which the parent's index stands for; kept, though, when the
-- attached index backs a constraint declared on the partition itself (conparentid = 0: a local
-- primary key or unique constraint whose index PostgreSQL attached to a plain partitioned
-- index of the parent), since that constraint is in the model and needs its index.
--
-- elements: one object per key column: `column` for a plain column, else `expression`, the
-- expression's text (pg_get_indexdef(index, n, true)); opclass and collation only when they are
-- not the defaults (an expression's collation is compared with the database default); `operator`
-- for exclusion constraints.
WITH idx AS (
  SELECT i.indexrelid, i.indrelid, i.indnatts, i.indnkeyatts, i.indisunique,
         i.indnullsnotdistinct, i.indisvalid, i.indkey, i.indclass, i.indcollation, i.indoption,
         i.indpred, n.nspname AS schema, c.relname AS table_name, ic.relname AS index_name,
         ic.relam, ic.reloptions, c.relkind, con.conname, con.contype, con.conexclop
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN scope n ON n.oid = c.relnamespace
  LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                             AND con.contype IN ('p', 'u', 'x')
  WHERE c.relkind IN ('r', 'p', 'm')
    AND (NOT EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
         OR (con.oid IS NOT NULL AND con.conparentid = 0))
    AND NOT EXISTS (SELECT FROM ext_member x
                    WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
),
element AS (
  -- Key columns (n <= indnkeyatts) and INCLUDE columns (the rest of indkey) in one pass.
  SELECT x.indexrelid,
         json_agg(json_build_object(
             'column', ta.attname,
             'expression', CASE WHEN k.attnum = 0
                                THEN pg_get_indexdef(x.indexrelid, k.n::int, true) END,
             'collation', CASE WHEN k.coll <> 0 AND k.coll <> coalesce(ta.attcollation, 100) THEN
               CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname
                    ELSE cn.nspname || '.' || co.collname END
             END,
             'opclass_schema', CASE WHEN NOT oc.opcdefault THEN ocn.nspname END,
             'opclass', CASE WHEN NOT oc.opcdefault THEN oc.opcname END,
             'descending', (k.opt & 1) <> 0,
             'nulls_first', (k.opt & 2) <> 0,
             'operator', CASE WHEN x.contype = 'x' THEN
               CASE WHEN opn.nspname = 'pg_catalog' THEN op.oprname
                    ELSE 'OPERATOR(' || opn.nspname || '.' || op.oprname || ')' END
             END)
           ORDER BY k.n) FILTER (WHERE k.n <= x.indnkeyatts) AS elements,
         json_agg(ta.attname ORDER BY k.n) FILTER (WHERE k.n > x.indnkeyatts) AS include
  FROM idx x
  CROSS JOIN LATERAL unnest(x.indkey::int2[], x.indclass::oid[], x.indcollation::oid[],
                            x.indoption::int2[], x.conexclop)
                     WITH ORDINALITY k(attnum, opclass, coll, opt, op, n)
  -- One index lookup per key column (OFFSET 0 keeps the planner from hashing all of pg_attribute).
  LEFT JOIN LATERAL (SELECT a.attname, a.attcollation FROM pg_attribute a
                     WHERE a.attrelid = x.indrelid AND a.attnum = k.attnum OFFSET 0) ta ON true
  LEFT JOIN pg_opclass oc ON oc.oid = k.opclass
  LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
  LEFT JOIN pg_collation co ON co.oid = k.coll
  LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
  LEFT JOIN pg_operator op ON op.oid = k.op
  LEFT JOIN pg_namespace opn ON opn.oid = op.oprnamespace
  GROUP BY x.indexrelid
)
SELECT x.schema,
       x.table_name AS table,
       x.index_name AS name,
       x.conname AS constraint,
       x.indisunique AS unique,
       x.indnullsnotdistinct AS nulls_not_distinct,
       NOT x.indisvalid AS invalid,
       am.amname AS method,
       e.elements,
       e.include,
       pg_get_expr(x.indpred, x.indrelid, true) AS where,
       to_json(x.reloptions) AS storage,
       -- An invalid index of a partitioned table: its partitions that have no index attached to
       -- it (ALTER INDEX ... ATTACH PARTITION makes it valid once every partition has one).
       CASE WHEN NOT x.indisvalid AND x.relkind = 'p' THEN
         (SELECT json_agg(json_build_object('schema', pn.nspname, 'name', pc.relname)
                          ORDER BY pn.nspname, pc.relname)
          FROM pg_inherits t
          JOIN pg_class pc ON pc.oid = t.inhrelid
          JOIN pg_namespace pn ON pn.oid = pc.relnamespace
          WHERE t.inhparent = x.indrelid
            AND NOT EXISTS (SELECT FROM pg_inherits hi JOIN pg_index pi ON pi.indexrelid = hi.inhrelid
                            WHERE hi.inhparent = x.indexrelid AND pi.indrelid = t.inhrelid))
       END AS unattached_partitions,
       ds.description AS comment
FROM idx x
JOIN pg_am am ON am.oid = x.relam
LEFT JOIN element e ON e.indexrelid = x.indexrelid
LEFT JOIN pg_description ds ON ds.objoid = x.indexrelid AND ds.classoid = 'pg_class'::regclass
                          AND ds.objsubid = 0
