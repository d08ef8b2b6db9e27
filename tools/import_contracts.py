"""A custom import-linter contract: the given packages import the standard library only.

A ``forbidden`` contract can only name packages we thought of; this one refuses any module
that is neither part of the project nor in ``sys.stdlib_module_names``.
"""

import sys

from importlinter import Contract, ContractCheck, fields, output


class StandardLibraryOnlyContract(Contract):
    type_name = "standard_library_only"

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed_modules = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose):  # type: ignore[no-untyped-def]
        allowed = set(self.allowed_modules or []) | set(sys.stdlib_module_names)
        roots = set(self.session_options.get("root_packages", []))
        offences = []
        for source in self.source_modules:
            for module in sorted({source, *graph.find_descendants(source)}):
                for imported in sorted(graph.find_modules_directly_imported_by(module)):
                    top = imported.split(".")[0]
                    if top in roots or top in allowed:
                        continue
                    details = graph.get_import_details(importer=module, imported=imported)
                    lines = [d["line_number"] for d in details] or ["?"]
                    offences.append((module, imported, lines))
        return ContractCheck(kept=not offences, warnings=None, metadata={"offences": offences})

    def render_broken_contract(self, check):  # type: ignore[no-untyped-def]
        for module, imported, lines in check.metadata["offences"]:
            output.print_error(
                f"{module} imports {imported} (line {', '.join(map(str, lines))}), "
                "which is not in the standard library",
                bold=False,
            )
            output.new_line()
