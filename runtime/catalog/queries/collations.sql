-- Collations in scope (CREATE COLLATION), except extension members. provider: 'c' libc, 'i' icu
-- (a user cannot create one with the 'd' default provider). An ICU collation keeps its locale in
-- colliculocale (PostgreSQL 15), a libc one in collcollate and collctype.
SELECT n.nspname AS schema,
       c.collname AS name,
       c.collprovider AS provider,
       c.collisdeterministic AS deterministic,
       c.collcollate AS lc_collate,
       c.collctype AS lc_ctype,
       c.colliculocale AS locale
FROM pg_collation c
JOIN scope n ON n.oid = c.collnamespace
WHERE NOT EXISTS (SELECT FROM ext_member x
                  WHERE x.classid = 'pg_collation'::regclass AND x.objid = c.oid)
