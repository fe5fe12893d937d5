// The printer: a model::Catalog written as `.schema` files, the way a person writes them
// (docs/language.md). `schemac inspect` uses it on a live database's model; compiling the printed
// files gives back the same model (after normalization), which the round-trip tests check.
//
// Pure: no database. What it writes:
// - One file per schema (`public.schema`, `billing.schema`, ...), or with `split` one file per table
//   (`<schema>/<table>.schema`, holding the table, its partitions, triggers, policies, grants and
//   comments) plus `<schema>.schema` for the schema's other objects.
// - Every construct of the language in its idiomatic form: a single-column primary key, unique,
//   foreign key or check whose name is the one PostgreSQL would derive is written on its column
//   without a name; other constraints are table items, named unless their name is the derived one.
//   Indexes go inside the table block (named unless the name is the derived one); comments of
//   tables and columns inside the block; `row level security` inside the block; `not null` is left
//   out where a primary key or identity implies it; sequence and identity options only where they
//   differ from PostgreSQL's defaults; view column lists are left out (pg_get_viewdef already names
//   the columns); objects in `public` are written unqualified.
// - Names are quoted only when the language needs it (Ident below).
// - Embedded SQL (defaults, checks, predicates, view queries, policies) is the model's text, which
//   for an introspected model is PostgreSQL's canonical form; a literal cast to exactly the column's
//   type (`'pending'::order_status` on an order_status column) is written as the bare literal, which
//   PostgreSQL reads back the same. Function bodies are dollar-quoted as they are.
// Deterministic: the same model gives the same files, byte for byte.
#pragma once

#include <string>
#include <vector>

#include "compiler/model/model.h"

namespace schemac::printer {

struct Options {
  bool split = false;  // one file per table
};

struct File {
  std::string path;  // relative, '/'-separated: "public.schema", "billing/invoices.schema"
  std::string text;
};

struct Output {
  std::vector<File> files;  // sorted by path
  // Things the language cannot say exactly and what was written instead, one sentence each
  // ("constraint public.t.c is NOT VALID: written as a valid constraint"). Sorted.
  std::vector<std::string> notes;
};

Output Print(const model::Catalog& catalog, const Options& options = {});

// A name as a `.schema` file spells it: bare when it is a lower-case identifier that is not one of
// PostgreSQL's reserved words (reserved and type/function-name keywords, which a bare name can
// never be in PostgreSQL) nor a word the language itself reserves; otherwise double-quoted, with
// `"` doubled. `position`, `name`, `comment`, `index`, `time` stay bare; `order`, `user`,
// `OrderLines`, `select` are quoted.
std::string Ident(const std::string& name);

// A string literal: 'it''s', or E'...' with backslash escapes when the text holds line breaks,
// tabs or other control characters, so a literal never spans lines.
std::string Literal(const std::string& text);

// A file name for an object name: letters, digits, '_', '-' and '$' are kept, every other byte is
// written as %XX (and a leading '.'), so any name gives a valid, distinct file name.
std::string FileName(const std::string& name);

}  // namespace schemac::printer
