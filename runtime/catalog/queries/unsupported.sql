-- Objects in scope that the model cannot represent. They are reported, never silently skipped, so
-- that a plan never drops what it cannot see. Extension members are left out (the extension
-- manages them), and so are PostgreSQL's built-in objects (oid < 16384, FirstNormalObjectId).
-- Names are printed with search_path = pg_catalog, so they are schema-qualified.
SELECT 'aggregate' AS kind, p.oid::regprocedure::text AS name
FROM pg_proc p JOIN scope n ON n.oid = p.pronamespace
WHERE p.prokind = 'a'
  AND NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid)
UNION ALL
SELECT 'window function', p.oid::regprocedure::text
FROM pg_proc p JOIN scope n ON n.oid = p.pronamespace
WHERE p.prokind = 'w'
  AND NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid)
UNION ALL
SELECT 'operator', o.oid::regoperator::text
FROM pg_operator o JOIN scope n ON n.oid = o.oprnamespace
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_operator'::regclass AND x.objid = o.oid)
UNION ALL
SELECT 'operator class', quote_ident(n.nspname) || '.' || quote_ident(c.opcname) || ' using ' || am.amname
FROM pg_opclass c JOIN scope n ON n.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_opclass'::regclass AND x.objid = c.oid)
UNION ALL
SELECT 'operator family', quote_ident(n.nspname) || '.' || quote_ident(f.opfname) || ' using ' || am.amname
FROM pg_opfamily f JOIN scope n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_opfamily'::regclass AND x.objid = f.oid)
  -- CREATE OPERATOR CLASS makes a family of the same name: report only the class then.
  AND NOT EXISTS (SELECT FROM pg_opclass c WHERE c.opcfamily = f.oid AND c.opcname = f.opfname
                    AND c.opcnamespace = f.opfnamespace)
UNION ALL
SELECT 'cast', '(' || format_type(c.castsource, NULL) || ' as ' || format_type(c.casttarget, NULL) || ')'
FROM pg_cast c
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_cast'::regclass AND x.objid = c.oid)
  -- casts PostgreSQL made itself (a range type's casts to its multirange) depend internally
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_cast'::regclass AND d.objid = c.oid
                    AND d.deptype = 'i')
  AND (EXISTS (SELECT FROM pg_type t JOIN scope n ON n.oid = t.typnamespace
               WHERE t.oid IN (c.castsource, c.casttarget))
       OR EXISTS (SELECT FROM pg_proc p JOIN scope n ON n.oid = p.pronamespace
                  WHERE p.oid = c.castfunc))
UNION ALL
SELECT CASE t.typtype WHEN 'r' THEN 'range type' WHEN 'b' THEN 'base type' ELSE 'shell type' END,
       t.oid::regtype::text
FROM pg_type t JOIN scope n ON n.oid = t.typnamespace
WHERE t.typtype IN ('r', 'b', 'p')
  AND t.typsubscript <> 'array_subscript_handler'::regproc
  AND NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid)
UNION ALL
-- Collations are managed (collations.sql), their comments are not.
SELECT 'comment on collation', quote_ident(n.nspname) || '.' || quote_ident(c.collname)
FROM pg_collation c JOIN scope n ON n.oid = c.collnamespace
JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_collation'::regclass
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_collation'::regclass AND x.objid = c.oid)
UNION ALL
SELECT 'conversion', quote_ident(n.nspname) || '.' || quote_ident(c.conname)
FROM pg_conversion c JOIN scope n ON n.oid = c.connamespace
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_conversion'::regclass AND x.objid = c.oid)
UNION ALL
SELECT 'text search configuration', c.oid::regconfig::text
FROM pg_ts_config c JOIN scope n ON n.oid = c.cfgnamespace
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_ts_config'::regclass AND x.objid = c.oid)
UNION ALL
SELECT 'text search dictionary', d.oid::regdictionary::text
FROM pg_ts_dict d JOIN scope n ON n.oid = d.dictnamespace
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_ts_dict'::regclass AND x.objid = d.oid)
UNION ALL
SELECT 'text search parser', quote_ident(n.nspname) || '.' || quote_ident(p.prsname)
FROM pg_ts_parser p JOIN scope n ON n.oid = p.prsnamespace
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_ts_parser'::regclass AND x.objid = p.oid)
UNION ALL
SELECT 'text search template', quote_ident(n.nspname) || '.' || quote_ident(t.tmplname)
FROM pg_ts_template t JOIN scope n ON n.oid = t.tmplnamespace
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_ts_template'::regclass AND x.objid = t.oid)
UNION ALL
SELECT 'statistics', quote_ident(n.nspname) || '.' || quote_ident(s.stxname)
FROM pg_statistic_ext s JOIN scope n ON n.oid = s.stxnamespace
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_statistic_ext'::regclass AND x.objid = s.oid)
UNION ALL
SELECT CASE c.relkind WHEN 'f' THEN 'foreign table' ELSE 'typed table' END,
       c.oid::regclass::text
       || CASE WHEN c.relkind <> 'f' THEN ' of type ' || c.reloftype::regtype::text ELSE '' END
FROM pg_class c JOIN scope n ON n.oid = c.relnamespace
WHERE (c.relkind = 'f' OR (c.relkind IN ('r', 'p') AND c.reloftype <> 0))
  AND NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
UNION ALL
-- Inheritance is managed between tables in scope; a parent outside the schemas read is not.
SELECT 'table inheritance', i.inhrelid::regclass::text || ' inherits ' || i.inhparent::regclass::text
       || ' (a parent outside the schemas read)'
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN scope n ON n.oid = c.relnamespace
JOIN pg_class pc ON pc.oid = i.inhparent
WHERE NOT c.relispartition AND c.relkind IN ('r', 'p')
  AND pc.relnamespace NOT IN (SELECT s.oid FROM scope s)
  AND NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
UNION ALL
-- An inherited column (attislocal = false) is the parent's column in the model: one whose NOT NULL
-- or default the child changed cannot be represented.
SELECT 'inherited column',
       c.oid::regclass::text || '.' || quote_ident(a.attname) || ' (differs from its parent''s)'
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN scope n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attislocal
  AND NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
  AND NOT EXISTS (
    SELECT FROM pg_inherits i
    JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname
    LEFT JOIN pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum
    WHERE i.inhrelid = c.oid
      AND pa.attnotnull = a.attnotnull
      AND pa.attcollation = a.attcollation
      AND pg_get_expr(pd.adbin, 0) IS NOT DISTINCT FROM pg_get_expr(ad.adbin, 0))
UNION ALL
SELECT 'rule', quote_ident(r.rulename) || ' on ' || r.ev_class::regclass::text
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN scope n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN'
  AND NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
UNION ALL
SELECT 'event trigger', quote_ident(e.evtname)
FROM pg_event_trigger e
WHERE NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_event_trigger'::regclass AND x.objid = e.oid)
UNION ALL
SELECT 'default privileges',
       'for role ' || quote_ident(pg_get_userbyid(d.defaclrole))
       || coalesce(' in schema ' || quote_ident(n.nspname), '')
       || ' on ' || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'
                                         WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types'
                                         ELSE 'schemas' END
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
WHERE d.defaclnamespace = 0 OR d.defaclnamespace IN (SELECT s.oid FROM scope s)
UNION ALL
-- `with (toast.autovacuum_enabled = false)` lands on the table's TOAST table; the language has no
-- way to say it.
SELECT 'storage parameters of a TOAST table',
       c.oid::regclass::text || ' (' || array_to_string(t.reloptions, ', ') || ')'
FROM pg_class c
JOIN scope n ON n.oid = c.relnamespace
JOIN pg_class t ON t.oid = c.reltoastrelid
WHERE t.reloptions IS NOT NULL AND c.relkind IN ('r', 'p', 'm')
  AND NOT EXISTS (SELECT FROM ext_member x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid)
