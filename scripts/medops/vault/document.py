"""Pure text work on a vault file of per-value encrypted strings: find leaves, splice new values in.

A vault file is a YAML mapping whose leaves are `!vault |` blocks. Edits are made on the text, at the
positions PyYAML reports for each node, so every byte outside the replaced value (other entries,
comments, order, quoting, blank lines) stays exactly as the user wrote it. Nothing here encrypts or
reads files: `medops.vault.crypt` does that, `medops.vault.edit` puts both together.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import yaml

from medops.errors import MedopsError

VAULT_TAG = "!vault"
ENVELOPE = "$ANSIBLE_VAULT;"
# One part of a name: a word between dots, or ['quoted key'], ["quoted key"], [index].
_PART = re.compile(
    r"""\[(?:'(?P<sq>[^']*)'|"(?P<dq>(?:[^"\\]|\\.)*)"|(?P<index>\d+))\]|(?P<word>[^.\[\]'"]+)"""
)
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


class DocumentError(MedopsError):
    """The file or the name cannot be used as asked; nothing was changed."""


@dataclass(frozen=True)
class Part:
    """One step of a name. `exact` parts came in brackets; plain words may join with dots into one key."""

    value: str | int
    exact: bool = False


@dataclass(frozen=True)
class Leaf:
    """A single value of the file, where it is and how a replacement must be indented."""

    path: tuple[str | int, ...]
    node: yaml.ScalarNode
    indent: int  # columns for the lines of a `!vault |` block in this place
    in_flow: bool  # inside a {…} or […] collection, where a block cannot go

    @property
    def name(self) -> str:
        return show_name(self.path)

    @property
    def encrypted(self) -> bool:
        return self.node.tag == VAULT_TAG and self.node.value.startswith(ENVELOPE)

    @property
    def vault_id(self) -> str | None:
        """The vault id named in an encrypted value's envelope (None for format 1.1 or plain values)."""
        return envelope_vault_id(self.node.value) if self.encrypted else None


@dataclass(frozen=True)
class NewKey:
    """A name that does not exist yet: `key` added at the end of the block mapping `mapping`; with
    `inner`, `key` is a new map holding those keys one inside the other, the value in the last."""

    path: tuple[str | int, ...]
    mapping: yaml.MappingNode | None  # None: the file holds no mapping yet (empty)
    key: str
    inner: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def show_name(path: Sequence[str | int]) -> str:
    """A path as a person writes it: dotted words, ['key'] where a key holds a dot or odd characters."""
    shown = ""
    for step in path:
        if isinstance(step, int):
            shown += f"[{step}]"
        elif re.fullmatch(r"[A-Za-z0-9_\-]+", step):
            shown += f".{step}" if shown else step
        else:
            shown += f"[{json.dumps(step)}]" if "'" in step else f"['{step}']"
    return shown


def parse_name(name: str) -> list[Part]:
    """Split `vault_base_ssh_keys.zhang.wei` or `vault_base_ssh_keys['zhang.wei']` into parts."""
    parts: list[Part] = []
    pos = 0
    while pos < len(name):
        if parts and name[pos] == ".":
            pos += 1
        elif parts and name[pos] != "[":
            raise DocumentError(f"name {name!r}: expected '.' or '[' at position {pos + 1}")
        match = _PART.match(name, pos)
        if not match or (not parts and match.group("word") is None):
            raise DocumentError(f"name {name!r} cannot be read at position {pos + 1} (write a.b or a['b.c'])")
        if match.group("word") is not None:
            parts.append(Part(match.group("word")))
        elif match.group("index") is not None:
            parts.append(Part(int(match.group("index")), exact=True))
        elif match.group("sq") is not None:
            parts.append(Part(match.group("sq"), exact=True))
        else:
            parts.append(Part(json.loads(f'"{match.group("dq")}"'), exact=True))
        pos = match.end()
    if not parts:
        raise DocumentError("the name is empty")
    return parts


def parse_document(text: str) -> yaml.MappingNode | None:
    """The file's top-level mapping as nodes (None for a file without values)."""
    if text.lstrip().startswith(ENVELOPE):
        raise DocumentError(
            "the file is encrypted as a whole, not value by value; convert it first (docs/secrets.md)"
        )
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DocumentError(f"not valid YAML: {problem}{where}") from None
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        raise DocumentError("the file must hold a mapping of vault_* names")
    return root


def envelope_vault_id(ciphertext: str) -> str | None:
    """`$ANSIBLE_VAULT;1.2;AES256;prod` → 'prod'; None when the envelope names no vault id."""
    fields = ciphertext.split("\n", 1)[0].strip().split(";")
    return fields[3] if len(fields) >= 4 and fields[3] else None


def _children(node: yaml.Node) -> Iterator[tuple[str | int, yaml.Node, int]]:
    """(step, child, indent of a block placed there) for a mapping's values or a sequence's items."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield str(key.value), value, key.start_mark.column + 2
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield index, item, item.start_mark.column + 2


def leaves(root: yaml.MappingNode | None) -> list[Leaf]:
    """Every single value of the file, in file order, with its path."""
    found: list[Leaf] = []

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        flow = bool(getattr(node, "flow_style", False))
        for step, child, indent in _children(node):
            if isinstance(child, yaml.ScalarNode):
                found.append(Leaf((*path, step), child, indent, flow))
            else:
                walk(child, (*path, step))

    if root is not None:
        walk(root, ())
    return found


def first_problem(found: Sequence[Leaf], vault_id: str) -> str | None:
    """The first value that is not a `!vault` string encrypted with `vault_id`, as one line; None if none."""
    if not found:
        return "the file holds no values"
    for leaf in found:
        if not leaf.encrypted:
            return f"{leaf.name} is a plain value, not a !vault encrypted string"
        if leaf.vault_id != vault_id:
            named = f"vault id {leaf.vault_id!r}" if leaf.vault_id else "no vault id"
            return f"{leaf.name} is encrypted with {named}, expected {vault_id!r}"
    return None


def _keys(node: yaml.MappingNode) -> list[str]:
    return [str(key.value) for key, _ in node.value]


def _mapping_step(
    node: yaml.MappingNode | None, parts: Sequence[Part], i: int, path: tuple[str | int, ...], add: bool
) -> tuple[str, int] | NewKey:
    """The key of `node` that parts[i:] start with, and how many parts it used; or the new key to add."""
    keys = _keys(node) if node is not None else []
    candidates: list[tuple[str, int]] = []
    if parts[i].exact:
        if str(parts[i].value) in keys:
            candidates.append((str(parts[i].value), 1))
    else:
        j = i
        while j < len(parts) and not parts[j].exact:
            joined = ".".join(str(p.value) for p in parts[i : j + 1])
            if joined in keys:
                candidates.append((joined, j - i + 1))
            j += 1
    if len(candidates) > 1:
        shown = " and ".join(show_name((*path, key)) for key, _ in candidates)
        raise DocumentError(f"the name is ambiguous: {shown} both exist; write the key in ['…']")
    if candidates:
        return candidates[0]
    here = show_name(path) or "the file"
    rest = parts[i:]
    if add and (len(rest) == 1 or all(not p.exact for p in rest)) and not isinstance(rest[0].value, int):
        if node is not None and node.flow_style:
            raise DocumentError(f"{here} is written in flow style {{…}}; write it as a block map")
        words = [str(p.value) for p in rest]
        if len(words) == 1:
            return NewKey((*path, words[0]), node, words[0])
        return _dotted_new_key(node, words, path, here)
    known = ", ".join(keys[:8]) + (", …" if len(keys) > 8 else "")
    hint = "" if add else " (medops vault set --add creates a new value)"
    raise DocumentError(f"{here} has no {str(parts[i].value)!r}{hint}; it holds: {known or 'nothing'}")


def _dotted_new_key(
    node: yaml.MappingNode | None, words: Sequence[str], path: tuple[str | int, ...], here: str
) -> NewKey:
    """A new name of several dotted words: maps inside maps where the neighbours are maps
    (vault_tls.spare1.cert beside vault_tls.qcis-db1.cert), one key with dots where they are single
    values (vault_base_ssh_keys.li.na beside vault_base_ssh_keys.zhang), refused where nothing tells."""
    values = [value for _, value in node.value] if node is not None else []
    joined = ".".join(words)
    if values and all(isinstance(value, yaml.MappingNode) for value in values):
        return NewKey((*path, *words), node, words[0], tuple(words[1:]))
    if values and all(isinstance(value, yaml.ScalarNode) for value in values):
        return NewKey((*path, joined), node, joined)
    raise DocumentError(
        f"the new name {joined!r} in {here} is ambiguous: {here} holds neither only maps nor only single "
        f"values, so it could be a new map {words[0]!r} or one key {joined!r}; for one key write "
        f"{show_name((*path, joined))}"
    )


def resolve(root: yaml.MappingNode | None, name: str, *, add: bool = False) -> Leaf | NewKey:
    """The leaf `name` points at, or (with add) the new key to create; DocumentError for anything else."""
    parts = parse_name(name)
    node: yaml.Node | None = root
    path: tuple[str | int, ...] = ()
    indent, flow, i = 2, False, 0
    while i < len(parts):
        if node is None or isinstance(node, yaml.MappingNode):
            step = _mapping_step(node, parts, i, path, add)
            if isinstance(step, NewKey):
                return step
            key, used = step
            assert node is not None  # noqa: S101 - a key was found, so there is a mapping
            flow = bool(node.flow_style)
            key_node, node = next((k, v) for k, v in node.value if str(k.value) == key)
            indent = key_node.start_mark.column + 2
            path, i = (*path, key), i + used
        elif isinstance(node, yaml.SequenceNode):
            index = parts[i].value
            if isinstance(index, str) and index.isdigit():
                index = int(index)
            if not isinstance(index, int) or index >= len(node.value):
                shown = f"{show_name(path)} is a list of {len(node.value)}"
                raise DocumentError(f"{shown}; {index!r} is not one of its indexes")
            flow = bool(node.flow_style)
            node = node.value[index]
            indent = node.start_mark.column + 2
            path, i = (*path, index), i + 1
        else:
            raise DocumentError(f"{show_name(path)} is a single value; {name!r} names something inside it")
    if isinstance(node, yaml.ScalarNode):
        return Leaf(path, node, indent, flow)
    inner = [show_name((*path, step)) for step, _, _ in _children(node)] if node is not None else []
    example = f", e.g. {inner[0]}" if inner else ""
    raise DocumentError(f"{show_name(path)} holds several values, not one: name one of them{example}")


def vault_block(ciphertext: str, indent: int, tail: str = "") -> str:
    """`!vault |` and the ciphertext's lines at `indent` columns (no final line break)."""
    lines = [" " * indent + line for line in ciphertext.strip().splitlines()]
    return "\n".join([f"{VAULT_TAG} |{tail}", *lines])


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _block_end(text: str, node: yaml.ScalarNode) -> int:
    """End of a block scalar's last non-blank line (its trailing blank lines belong to what follows)."""
    span = text[node.start_mark.index : node.end_mark.index]
    lines = span.split("\n")
    last = max(i for i, line in enumerate(lines) if line.strip() or i == 0)
    return node.start_mark.index + len("\n".join(lines[: last + 1]))


def _is_block(node: yaml.ScalarNode) -> bool:
    return node.style in ("|", ">")


def replace_edit(text: str, leaf: Leaf, ciphertext: str) -> Edit:
    """The edit that puts `ciphertext` as a `!vault |` block in place of the leaf's value."""
    if leaf.in_flow:
        raise DocumentError(
            f"{leaf.name} is inside a flow-style {{…}} or […]; write that map as a block first"
        )
    node = leaf.node
    start = node.start_mark.index
    if _is_block(node):
        header = text[start : _line_end(text, start)]
        comment = re.search(r"\s#.*$", header)
        tail = comment.group(0) if comment else ""
        end = _block_end(text, node)
    else:
        end = _line_end(text, node.end_mark.index)
        tail = text[node.end_mark.index : end]
        if tail.strip() and not tail.strip().startswith("#"):
            raise DocumentError(f"{leaf.name}: cannot place a block after {tail.strip()!r} on its line")
        tail = tail.rstrip() if tail.strip() else ""
    block = vault_block(ciphertext, leaf.indent, tail)
    if start > 0 and text[start - 1] not in " \t\n":
        block = " " + block
    return Edit(start, end, block)


def _entry_end(text: str, node: yaml.Node) -> int:
    """Where the text of a block mapping's or sequence's last entry ends (before its line break)."""
    if isinstance(node, yaml.ScalarNode):
        return _block_end(text, node) if _is_block(node) else _line_end(text, node.end_mark.index)
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _entry_end(text, last[1] if isinstance(node, yaml.MappingNode) else last)
    return _line_end(text, node.end_mark.index)


def _key_text(key: str) -> str:
    if _PLAIN_KEY.fullmatch(key) and yaml.safe_load(key) == key:
        return key
    return json.dumps(key, ensure_ascii=False)


def _new_entry(new: NewKey, column: int, ciphertext: str) -> str:
    """`key: !vault |…` at `column`, or `key:` and its inner keys two columns deeper each."""
    keys = [new.key, *new.inner]
    lines = [" " * (column + 2 * depth) + f"{_key_text(key)}:" for depth, key in enumerate(keys)]
    lines[-1] += " " + vault_block(ciphertext, column + 2 * len(keys))
    return "\n".join(lines)


def insert_edit(text: str, new: NewKey, ciphertext: str) -> Edit:
    """The edit that adds `new.key: !vault |` (or a new map holding it) as the last entry of its mapping."""
    if new.mapping is None or not new.mapping.value:
        pos = len(text)
        lead = "" if not text or text.endswith("\n") else "\n"
        return Edit(pos, pos, f"{lead}{_new_entry(new, 0, ciphertext)}\n")
    column = new.mapping.value[0][0].start_mark.column
    pos = _entry_end(text, new.mapping)
    return Edit(pos, pos, "\n" + _new_entry(new, column, ciphertext))


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply edits that do not overlap, from the last to the first so positions stay right."""
    ordered = sorted(edits, key=lambda e: e.start, reverse=True)
    for later, earlier in itertools.pairwise(ordered):
        if earlier.end > later.start:
            raise DocumentError("internal: overlapping edits")
    for edit in ordered:
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def plain_values(found: Sequence[Leaf]) -> dict[tuple[str | int, ...], tuple[str, str]]:
    """Each leaf's (tag, value) by path: compare files before and after an edit."""
    return {leaf.path: (leaf.node.tag, leaf.node.value) for leaf in found}
