#!/usr/bin/env bash
# The language is chosen by the locale (LANG, LC_ALL, LC_MESSAGES), by LANGUAGE under any
# non-C locale (also C.UTF-8, the only locale of minimal servers), and forced by --lang.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

# English and Indonesian reference outputs, forced by --lang.
"$CONNWATCH" --lang en explain >"$tmp/en" || fail "--lang en explain failed"
"$CONNWATCH" --lang id explain >"$tmp/id" || fail "--lang id explain failed"
grep -q "^TCP connection states$" "$tmp/en" || fail "English title missing: $(head -1 "$tmp/en")"
grep -q "^Daftar status koneksi TCP$" "$tmp/id" || fail "Indonesian title missing: $(head -1 "$tmp/id")"
grep -q "SYN flood attack" "$tmp/id" || fail "Indonesian warning signs missing"
cmp -s "$tmp/en" "$tmp/id" && fail "Indonesian output equals English: catalogue not loaded"

# run NAME EXPECTED(en|id) ENV... -- ARGS...: the explain output must be the expected language.
run() {
  local name=$1 want=$2; shift 2
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  env -u LC_ALL -u LC_MESSAGES -u LANG -u LANGUAGE "${envs[@]}" "$CONNWATCH" "$@" explain \
    >"$tmp/out" 2>"$tmp/err" || fail "$name: exited $?: $(cat "$tmp/err")"
  cmp -s "$tmp/out" "$tmp/$want" || fail "$name: expected $want, got: $(head -1 "$tmp/out")"
}

run "LANG=id_ID.UTF-8" id LANG=id_ID.UTF-8 --
run "LC_ALL=id_ID.UTF-8" id LC_ALL=id_ID.UTF-8 LANG=C.UTF-8 --
run "LC_MESSAGES=id_ID" id LC_MESSAGES=id_ID LANG=en_US.UTF-8 --
run "LANGUAGE=id under LANG=C.UTF-8" id LANG=C.UTF-8 LANGUAGE=id --
run "LANGUAGE=fr:id under LANG=en_US.UTF-8" id LANG=en_US.UTF-8 LANGUAGE=fr:id --
run "--lang id under LC_ALL=C" id LC_ALL=C -- --lang id
run "--lang=id under LC_ALL=C" id LC_ALL=C -- --lang=id
run "--lang en under LANG=id_ID.UTF-8" en LANG=id_ID.UTF-8 -- --lang en
run "--lang en under LANGUAGE=id" en LANG=C.UTF-8 LANGUAGE=id -- --lang en
# The C locale means untranslated, as gettext has it, even with LANGUAGE set.
run "LANGUAGE=id under LC_ALL=C" en LC_ALL=C LANGUAGE=id --
run "LANG=en_US.UTF-8" en LANG=en_US.UTF-8 --

# Errors and help follow the same choice.
env -u LC_ALL LANG=id_ID.UTF-8 "$CONNWATCH" explain bogus >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "unknown state did not exit 2"
grep -q "bukan status TCP" "$tmp/err" || fail "error not in Indonesian: $(cat "$tmp/err")"
LC_ALL=C "$CONNWATCH" --lang id --help >"$tmp/out" || fail "--lang id --help failed"
grep -q "^Penggunaan: connwatch" "$tmp/out" || fail "help not in Indonesian: $(head -1 "$tmp/out")"
echo ok
