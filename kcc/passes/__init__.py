"""kcc passes: one ModulePass per file, registered in kcc/universe.py."""
