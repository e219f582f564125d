#!/usr/bin/env bash
# The Indonesian catalogue is complete: every string the sources mark (extracted afresh, so a
# string added without regenerating the template is caught too) has a translation, none is
# fuzzy, and msgfmt -c accepts the printf formats.
set -u
. "$(dirname "$0")/lib.sh"
need_tool xgettext
need_tool msgmerge
need_tool msgfmt
top=$(cd "$HERE/../.." && pwd)
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

(cd "$top" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 --language=C \
  --files-from=po/POTFILES -o "$tmp/fresh.pot") || fail "xgettext failed"
# Every C file that uses _() or N_() must be in po/POTFILES, or its strings go unseen.
for f in $(cd "$top" && grep -l -E '\b(N)?_\("' src/*.c src/*/*.c 2>/dev/null); do
  grep -qx "$f" "$top/po/POTFILES" || fail "$f marks strings but is not listed in po/POTFILES"
done

LC_ALL=C msgfmt -c --check-format -o /dev/null "$top/po/id.po" 2>"$tmp/err" \
  || fail "msgfmt -c rejects po/id.po: $(cat "$tmp/err")"
LC_ALL=C msgmerge -q --no-fuzzy-matching -o "$tmp/merged.po" "$top/po/id.po" "$tmp/fresh.pot" \
  || fail "msgmerge failed"
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/merged.po" 2>&1)
echo "po/id.po against the sources: $stats"
case "$stats" in
  *untranslated*|*fuzzy*)
    echo "missing:"; msgattrib --untranslated "$tmp/merged.po" | grep '^msgid' | head -20
    fail "po/id.po is not complete: $stats" ;;
esac
translated=${stats%% translated*}
[ "$translated" -gt 100 ] 2>/dev/null || fail "too few translated messages: $stats"
# The committed catalogue itself has no fuzzy or untranslated entries either.
own=$(LC_ALL=C msgfmt --statistics -o /dev/null "$top/po/id.po" 2>&1)
case "$own" in *untranslated*|*fuzzy*) fail "po/id.po: $own" ;; esac
# No msgid is translated twice (a bad union merge leaves duplicates).
msguniq --repeated "$top/po/id.po" 2>/dev/null | grep -q '^msgid "[^"]' && fail "duplicate msgids in po/id.po"
echo ok
