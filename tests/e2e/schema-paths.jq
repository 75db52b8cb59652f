# The key/type set of a JSON document, one "path type" line per value,
# sorted and unique: object keys joined with ".", array indexes as "[]";
# then the value of its "schema" key.  $skip: a top-level key whose
# contents are left out (its own type is kept), or "".
. as $doc
| [paths as $p
   | select($skip == "" or ($p | length) == 1 or $p[0] != $skip)
   | ($p | map(if type == "number" then "[]" else . end) | join(".")) + " " + ($doc | getpath($p) | type)]
| unique + ["schema = " + ($doc.schema | tostring)] | .[]
