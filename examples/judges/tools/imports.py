"""Print a component's top-level imports and exports (needs `pip install wasmtime`)."""
import sys

import wasmtime
from wasmtime.component import Component

engine = wasmtime.Engine()
comp = Component.from_file(engine, sys.argv[1])
ty = comp.type
print("imports:")
for name in ty.imports(engine):
    print("  " + name)
print("exports:")
for name in ty.exports(engine):
    print("  " + name)
