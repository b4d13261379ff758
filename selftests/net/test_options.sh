#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xbondload's options are declared once, in lib/options.c's table; this checks
# that everything said to come from it does, and that the man pages render.
# No network: the tools' text only.
#
#   lib/options.c table --+-- xbondload --help
#                         +-- README.md blocks (make readme-options)
#                         +-- man/*.in --> .output/man/*: xbondload(8) OPTIONS,
#                         |                xbond.conf(5) KEYS, xbond-cni(8) fields
#                         +-- the CNI plugin's fields, read by the same parser
. "$(dirname "$0")/../lib.sh"

GENDOC=$TOP/.output/xbond-gendoc
MAN=$TOP/.output/man
[ -x "$GENDOC" ] || { fail "build first: make ($GENDOC)"; exit 1; }
help=$("$XBONDLOAD" --help)

# every_listed NAME LIST TEXT PREFIX: each word of LIST appears in TEXT as PREFIX+word.
every_listed() {
	local name=$1 word missing=()
	for word in $2; do
		grep -qF -- "$4$word" <<<"$3" || missing+=("$4$word")
	done
	if [ ${#missing[@]} -eq 0 ]; then pass "$name"; else fail "$name" "missing: ${missing[*]}"; fi
}

every_listed "--help lists every option of the table" "$("$GENDOC" options)" "$help" --
check "--help fits in 80 columns" test "$(awk '{ print length }' <<<"$help" | sort -n | tail -1)" -le 80
check "--help exits 0" "$XBONDLOAD" --help
check "the README's generated blocks are what the table gives (make readme-options)" \
	diff -u "$TOP/README.md" <("$GENDOC" readme "$TOP/README.md")
readme_rows=$(sed -n '/BEGIN generated xbondload-options/,/END generated xbondload-options/p' \
	"$TOP/README.md")
every_listed "... its option table has a row for each option" "$("$GENDOC" options)" \
	"$readme_rows" '`--'
every_listed "... its CNI field list names each CNI field" "$("$GENDOC" cni)" \
	"$(sed -n '/BEGIN generated cni-fields/,/END generated cni-fields/p' "$TOP/README.md")" '`'

# Each page renders without a word from man or groff.
for page in xbondload.8 xbondmon.8 xbondctl.8 xbond.conf.5 xbond-cni.8; do
	if [ ! -f "$MAN/$page" ]; then
		fail "man page $page is built" "no $MAN/$page: make"
		continue
	fi
	out=$(MANWIDTH=80 man -l "$MAN/$page" 2>&1 >/dev/null; groff -man -Tutf8 -ww -z "$MAN/$page" 2>&1)
	if [ -z "$out" ]; then pass "man page $page renders cleanly"
	else fail "man page $page renders cleanly" "$(head -3 <<<"$out")"; fi
done
rendered() { MANWIDTH=200 man -l "$MAN/$1" 2>/dev/null; }
every_listed "xbondload(8) has every option" "$("$GENDOC" options)" "$(rendered xbondload.8)" --
every_listed "xbond.conf(5) has every config key" "$("$GENDOC" keys)" \
	"$(rendered xbond.conf.5 | sed -n '/^KEYS/,/^EXAMPLES/p')" "       "
every_listed "xbond-cni(8) has every CNI field" "$("$GENDOC" cni)" "$(rendered xbond-cni.8)" ""
# The hand-written pages: every option their tool's --help gives.
for tool in xbondmon xbondctl; do
	every_listed "$tool(8) has every option of $tool --help" \
		"$("$TOP/.output/$tool" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)" \
		"$(rendered $tool.8)" ""
done

# The CNI plugin reads each of the table's CNI fields with the table's parser:
# a bad value is refused (code 7), naming the field. Config is parsed before
# the netns is looked at, so no namespace is needed.
bad_cni_field() {
	local field=$1 key=$1 conf out
	conf='{"cniVersion": "1.0.0", "name": "n", "type": "xbond",
	       "links": [{"name": "h0"}, {"name": "h1"}]}'
	if [ "${field#links[].}" != "$field" ]; then	# a field of each link
		conf=$(jq -c --arg f "${field#links[].}" '.links[1][$f] = "x-bad"' <<<"$conf")
		key="links[1].${field#links[].}"
	else
		conf=$(jq -c --arg f "$field" '.[$f] = "x-bad"' <<<"$conf")
	fi
	out=$(env -i CNI_COMMAND=ADD CNI_CONTAINERID=xbt CNI_NETNS=/nonexistent CNI_IFNAME=eth0 \
		CNI_PATH=/usr/lib/cni "$TOP/.output/xbond" <<<"$conf" 2>/dev/null)
	jq -e --arg k "$key: " '.code == 7 and (.msg | startswith($k))' <<<"$out" >/dev/null ||
		{ echo "$field: $out"; return 1; }
}
bad=()
for field in $("$GENDOC" cni); do bad_cni_field "$field" >/dev/null || bad+=("$field"); done
check "the CNI plugin refuses a bad value of each CNI field, naming it${bad:+ (not: ${bad[*]})}" \
	test ${#bad[@]} -eq 0
exit $FAILED
