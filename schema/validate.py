#!/usr/bin/env python3
"""Validate inventories against schema/inventory.v1.json (JSON Schema 2020-12).

Usage: validate.py SCHEMA FILE_OR_DIR...   (directories: every *.yaml in them)

YAML is read the way ccsec's loader (yaml-cpp, YAML 1.2 core) reads it: only true/false are
booleans and dates stay strings; merge keys (<<) are applied. Before validating, a self-test
checks that the schema rejects an unknown key and a bad enum, so a broken schema cannot pass
silently. Exit 0 when every file is valid, 1 otherwise.
"""
import glob
import os
import re
import sys

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    pass


# YAML 1.2 core booleans only (no yes/no/on/off), and no implicit timestamps.
Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def validator(schema_path):
    with open(schema_path, encoding="utf-8") as f:
        schema = yaml.load(f, Loader=Yaml12Loader)  # JSON is YAML
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def self_test(v):
    good = {"version": 1, "deployment": {"name": "x"}}
    assert not list(v.iter_errors(good)), "schema rejects a minimal inventory"
    for bad in ({"version": 1, "deployment": {"name": "x"}, "hostz": []},
                {"version": 1, "deployment": {"name": "x", "security_model": "full"}},
                {"version": 2, "deployment": {"name": "x"}}):
        assert list(v.iter_errors(bad)), "schema accepts an invalid inventory: %r" % bad


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    v = validator(argv[1])
    self_test(v)
    files = []
    for arg in argv[2:]:
        files += sorted(glob.glob(os.path.join(arg, "*.yaml"))) if os.path.isdir(arg) else [arg]
    if not files:
        print("no inventories found", file=sys.stderr)
        return 1
    failed = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=Yaml12Loader)
        errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors:
            where = ".".join(str(p) for p in e.absolute_path) or "(document)"
            print("%s: %s: %s" % (path, where, e.message))
        failed += bool(errors)
        print("%s: %s" % (path, "INVALID" if errors else "valid"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
