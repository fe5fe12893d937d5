// A canonical text form of a model: one object per line, children indented, every field that
// matters for the database (never source locations). Two models describe the same database exactly
// when their dumps are equal, which makes dumps the currency of golden tests and convergence checks.
#pragma once

#include <string>

#include "compiler/model/model.h"

namespace schemac::model {

std::string Dump(const Catalog& catalog);
// A stable hash of Dump(catalog): equal fingerprints, equal databases (as far as the model sees).
std::string Fingerprint(const Catalog& catalog);

}  // namespace schemac::model
