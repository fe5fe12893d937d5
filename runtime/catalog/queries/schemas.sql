-- Schemas in scope, and the extensions installed into them.
-- default_comment: the comment of the extension's control file, which CREATE EXTENSION sets; a
-- comment equal to it is not one the schema gave.
SELECT 'schema' AS kind,
       s.nspname AS name,
       NULL::name AS schema,
       NULL::text AS version,
       obj_description(s.oid, 'pg_namespace') AS comment,
       NULL::text AS default_comment
FROM scope s
UNION ALL
SELECT 'extension',
       e.extname,
       s.nspname,
       e.extversion,
       obj_description(e.oid, 'pg_extension'),
       (SELECT a.comment FROM pg_available_extensions a WHERE a.name = e.extname)
FROM pg_extension e
JOIN scope s ON s.oid = e.extnamespace
