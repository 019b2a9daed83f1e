"""Opens each QGIS project given (towncov.qgs, plan.qgs, ...) with PyQGIS,
headless, and checks that every layer-tree node resolves to a valid layer
of the project: QGIS replaces a layer id it does not accept, which leaves
the tree's node pointing at nothing. Prints one line per project and 'ok'.
Run with Debian's /usr/bin/python3 (python3-qgis)."""
import os
import sys
import xml.etree.ElementTree as ET

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsProject  # noqa: E402

app = QgsApplication([], False)
app.initQgis()
bad = []
for path in sys.argv[1:]:
    written = [e.text for e in ET.parse(path).getroot().iter("id")]
    p = QgsProject.instance()
    p.clear()
    if not p.read(path):
        bad.append(f"{path}: QGIS cannot read it: {p.error()}")
        continue
    nodes = p.layerTreeRoot().findLayers()
    if len(nodes) != len(written):
        bad.append(f"{path}: {len(nodes)} layer-tree nodes for {len(written)} layers")
    for node in nodes:
        layer = node.layer()
        if layer is None:
            bad.append(f"{path}: tree node {node.name()!r} ({node.layerId()}) has no layer")
        elif not layer.isValid():
            bad.append(f"{path}: layer {layer.name()!r} is not valid ({layer.source()})")
    kept = set(p.mapLayers().keys())
    for lid in written:
        if lid not in kept:
            bad.append(f"{path}: QGIS did not keep the layer id {lid!r}")
    print(f"{os.path.basename(path)}: {len(nodes)} layers")
app.exitQgis()
for b in bad:
    print(b)
print("ok" if not bad else "FAILED")
sys.exit(1 if bad else 0)
