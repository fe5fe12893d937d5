// Column type changes: can every stored value survive `ALTER COLUMN ... TYPE new USING col::new`,
// and does PostgreSQL rewrite the table to do it?
#pragma once

#include <string>

#include "compiler/model/model.h"

namespace schemac::diff {

struct TypeChange {
  // Some value the column may hold cannot be converted, or converts to a different value: the
  // explicit cast in USING truncates (varchar(n), char(n)), rounds (numeric scale, timestamp
  // precision, float), drops information (timestamptz -> date, json -> jsonb), or fails
  // (text -> integer, bigint -> integer overflow). Such a change is destructive.
  bool lossy = false;
  // PostgreSQL rewrites the table and its indexes. Not needed when the old type is binary coercible
  // to the new one and a modifier only widens: varchar(50) -> varchar(100), varchar -> text,
  // numeric(10,2) -> numeric(12,2), timestamp(3) -> timestamp(6), cidr -> inet. (ALTER TABLE
  // docs: "if the USING clause does not change the column contents and the old type is either
  // binary coercible to the new type ..., a table rewrite is not needed".)
  bool rewrites = true;
  // Why, for the plan summary: "narrows character varying(100) to character varying(20)".
  std::string reason;
};

// Classifies a type change of a column from `from` to `to` (canonical model types). Conservative:
// a pair it does not know is lossy and rewrites. Identical types are neither.
//
// Safe (not lossy): widening a length or precision (varchar(50) -> varchar(100) or text,
// numeric(10,2) -> numeric(12,2) or numeric, char(n) -> char(m >= n), timestamp(3) -> timestamp),
// any type to text or unbounded varchar, smallint -> integer -> bigint, integers to a numeric wide
// enough or to a float that holds them exactly, real -> double precision, date -> timestamp(tz),
// timestamp -> timestamptz, jsonb -> json, cidr -> inet, bit(n)/varbit(n) -> varbit(m >= n).
// Lossy: every narrowing, varchar(n)/char(n) from an unbounded or longer type, numeric or float ->
// integer, bigint -> integer, float -> numeric, timestamptz -> timestamp or date, json -> jsonb,
// text -> any non-text type, changes between user types (enums, domains, composites).
TypeChange ClassifyTypeChange(const model::TypeName& from, const model::TypeName& to);

}  // namespace schemac::diff
