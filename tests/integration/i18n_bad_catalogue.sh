#!/usr/bin/env bash
# A catalogue whose translation has other printf conversions than its msgid (built here with
# msgfmt without -c, which would refuse it) must not crash connwatch: that translation is dropped
# at load and the English text is used; the catalogue's other translations still are.
set -u
. "$(dirname "$0")/lib.sh"
need_tool msgfmt
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

mkdir -p "$tmp/locale/id/LC_MESSAGES" "$tmp/cap/net"
cp "$FIXTURES/proc-corrupt/net/"* "$tmp/cap/net/"
cat >"$tmp/bad.po" <<'PO'
msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\n"

# %lu read as a string: printf would dereference the line number
#, c-format
msgid "%s:%lu: malformed line (%s), skipped"
msgstr "%s:%s: baris rusak (%s %s %s %s %s), dilewati"

# writes through a pointer that was never passed
#, c-format
msgid "Local Address"
msgstr "Alamat Lokal%n"

msgid "Foreign Address"
msgstr "ALAMAT-ASING-UJI"
PO
msgfmt -o "$tmp/locale/id/LC_MESSAGES/connwatch.mo" "$tmp/bad.po" || fail "msgfmt (without -c) refused the test catalogue"
# the same catalogue is what msgfmt -c refuses: the test is about what it checks
msgfmt -c -o /dev/null "$tmp/bad.po" 2>/dev/null && fail "msgfmt -c accepted the bad catalogue"

CONNWATCH_LOCALEDIR="$tmp/locale" "$CONNWATCH" --lang id list -a --proc-root "$tmp/cap" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] || fail "expected exit 3 (a line skipped), got $rc: $(cat "$tmp/err")"
grep -q "tcp:3: malformed line (" "$tmp/err" || fail "the note is not in English: $(cat "$tmp/err")"
grep -q "baris rusak" "$tmp/err" && fail "the bad translation was used: $(cat "$tmp/err")"
grep -q "Local Address" "$tmp/out" || fail "the %n translation was not dropped: $(head -2 "$tmp/out")"
grep -q "ALAMAT-ASING-UJI" "$tmp/out" || fail "the good translation was not used: $(head -2 "$tmp/out")"
echo "ok"
