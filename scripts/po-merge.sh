#!/usr/bin/env bash
# Repairs po/id.po during or after a `git merge`: the union merge driver (.gitattributes) keeps
# the lines of both sides, which leaves duplicate entries when both sides added or changed
# translations. This rebuilds the catalogue from the two clean parents instead: ours first (our
# translations win where both have one), theirs for the rest, merged with a template extracted
# afresh from the sources, obsolete entries dropped. Prints what is still untranslated.
#   scripts/po-merge.sh [THEIRS]     (default: MERGE_HEAD during a merge, else HEAD^2)
set -euo pipefail
cd "$(dirname "$0")/.."
theirs=${1:-}
if [ -z "$theirs" ]; then
  if git rev-parse -q --verify MERGE_HEAD >/dev/null; then theirs=MERGE_HEAD; ours=HEAD
  else theirs=HEAD^2; ours=HEAD^1; fi
else
  ours=HEAD
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git show "$ours:po/id.po" >"$tmp/ours.po"
git show "$theirs:po/id.po" >"$tmp/theirs.po"
msgcat --use-first "$tmp/ours.po" "$tmp/theirs.po" -o "$tmp/both.po"
xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 --add-comments=TRANSLATORS --language=C \
  --package-name=connwatch --files-from=po/POTFILES -o "$tmp/fresh.pot"
msgmerge -q --no-fuzzy-matching "$tmp/both.po" "$tmp/fresh.pot" -o "$tmp/merged.po"
msgattrib --no-obsolete "$tmp/merged.po" -o po/id.po
LC_ALL=C msgfmt -c --statistics -o /dev/null po/id.po
msgattrib --untranslated --no-obsolete po/id.po | grep '^msgid "[^"]' || true
