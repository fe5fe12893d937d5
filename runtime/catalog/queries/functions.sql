-- Functions and procedures (aggregates and window functions are reported by unsupported.sql).
--
-- args: every argument in order, with its mode (i, o, b = inout, v = variadic, t = a column of
-- RETURNS TABLE), name ('' if none), type (keys as in types.sql; signatures carry no typmods) and
-- default (pg_get_function_arg_default). cost and rows only when they differ from PostgreSQL's
-- defaults (cost 1 for C and internal functions, else 100; rows 1000 for set-returning functions).
SELECT p.oid,
       n.nspname AS schema,
       p.proname AS name,
       p.prokind = 'p' AS is_procedure,
       (SELECT json_agg(json_build_object(
                 'mode', coalesce(p.proargmodes[k.n], 'i'),
                 'name', coalesce(p.proargnames[k.n], ''),
                 'type_schema', ty.type_schema,
                 'type_typname', ty.type_typname,
                 'type_full', ty.type_full,
                 'type_typmod', -1,
                 'type_dims', CASE WHEN ty.is_array THEN 1 ELSE 0 END,
                 'default', pg_get_function_arg_default(p.oid, k.n))
               ORDER BY k.n)
        FROM generate_series(1, coalesce(array_length(p.proallargtypes, 1), p.pronargs)) k(n)
        CROSS JOIN LATERAL (
          SELECT en.nspname AS type_schema, et.typname AS type_typname,
                 format_type(et.oid, NULL) AS type_full,
                 bt.typsubscript = 'array_subscript_handler'::regproc AS is_array
          FROM pg_type bt
          JOIN pg_type et ON et.oid = CASE WHEN bt.typsubscript = 'array_subscript_handler'::regproc
                                           THEN bt.typelem ELSE bt.oid END
          JOIN pg_namespace en ON en.oid = et.typnamespace
          WHERE bt.oid = coalesce(p.proallargtypes[k.n], p.proargtypes[k.n - 1])
        ) ty) AS args,
       rty.type_schema AS returns_schema,
       rty.type_typname AS returns_typname,
       rty.type_full AS returns_full,
       -1 AS returns_typmod,
       CASE WHEN rty.is_array THEN 1 ELSE 0 END AS returns_dims,
       p.proretset AS returns_setof,
       l.lanname AS language,
       CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) ELSE p.prosrc END
         AS body,
       CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END
         AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END
         AS parallel,
       p.proleakproof AS leakproof,
       CASE WHEN p.procost <> CASE WHEN l.lanname IN ('c', 'internal') THEN 1 ELSE 100 END
            THEN p.procost::text END AS cost,
       CASE WHEN p.proretset AND p.prorows <> 1000 THEN p.prorows::text END AS rows,
       to_json(p.proconfig) AS set_options,
       ds.description AS comment
FROM pg_proc p
JOIN scope n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
LEFT JOIN pg_description ds ON ds.objoid = p.oid AND ds.classoid = 'pg_proc'::regclass
                          AND ds.objsubid = 0
LEFT JOIN LATERAL (
  SELECT en.nspname AS type_schema, et.typname AS type_typname,
         format_type(et.oid, NULL) AS type_full,
         bt.typsubscript = 'array_subscript_handler'::regproc AS is_array
  FROM pg_type bt
  JOIN pg_type et ON et.oid = CASE WHEN bt.typsubscript = 'array_subscript_handler'::regproc
                                   THEN bt.typelem ELSE bt.oid END
  JOIN pg_namespace en ON en.oid = et.typnamespace
  WHERE bt.oid = p.prorettype
) rty ON true
WHERE p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT FROM ext_member x
                  WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid)
