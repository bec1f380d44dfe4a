"""A griffe extension for the API reference of the docs (mkdocs.yml): reST touches of the docstrings as Markdown.

The docstrings are plain text with two reST habits: ``literals`` (Markdown reads double backticks as
code too) and roles such as :func:`run` or :mod:`sim.model.rng`. This extension turns

- each role into an *optional* cross-reference: a link when its target is rendered somewhere in the
  docs, plain code otherwise, and never a warning (so ``mkdocs build --strict`` stays clean);
- a paragraph ending in ``::`` (reST: "a literal block follows") into one ending in ``:``.

Names are resolved as Python would from where the docstring is (its object, then the enclosing scopes);
``~a.b.c`` shows ``c`` only, as in Sphinx.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:func|meth|class|mod|data|attr|obj|exc|const):`(~?)([\w.]+)(\(\))?`")
LITERAL_BLOCK = re.compile(r"(\S)::\n\n")


def _target(obj: griffe.Object, name: str) -> str:
    """The full path of ``name`` as seen from ``obj``, or ``name`` itself if it cannot be resolved."""
    first, _, rest = name.partition(".")
    if first == obj.package.name:
        return name
    try:
        base = obj.resolve(first)
    except (griffe.NameResolutionError, griffe.AliasResolutionError, KeyError):
        return name
    return f"{base}.{rest}" if rest else base


def convert(text: str, obj: griffe.Object) -> str:
    """The docstring ``text`` of ``obj`` with its roles as optional cross-references and ``::`` as ``:``."""

    def link(match: re.Match[str]) -> str:
        short, name, call = match.group(1), match.group(2), match.group(3) or ""
        title = (name.rsplit(".", 1)[-1] if short else name) + call
        return f'<autoref identifier="{_target(obj, name)}" optional><code>{title}</code></autoref>'

    return LITERAL_BLOCK.sub(r"\1:\n\n", ROLE.sub(link, text))


def _walk(obj: griffe.Object) -> None:
    if obj.docstring is not None:
        obj.docstring.value = convert(obj.docstring.value, obj)
    for member in obj.members.values():
        if not member.is_alias:
            _walk(member)


class SphinxRoles(griffe.Extension):
    """Rewrite every docstring of a package once it is loaded (docstrings are parsed later, when rendered)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        _walk(pkg)

    on_package_loaded = on_package  # the same event in griffe 1.x
