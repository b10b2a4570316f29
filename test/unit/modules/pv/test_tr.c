/*
 * Tests of src/modules/pv/tr_s.c and tr_sip.c: every transformation with good and bad
 * input, arguments from variables, and chains. "ref" values were printed by the reference
 * daemon (kamailio 5.6.3) for the same input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "pv_test.h"

static int setup(void **state)
{
	struct pvt *t = pvt_new();

	pvt_empty(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	pvt_free(*state);
	return 0;
}

static int group_teardown(void **state)
{
	ksr_module_exports.destroy();
	return 0;
}

static void var(struct pvt *t, const char *name, const char *value)
{
	char pv[64];

	snprintf(pv, sizeof(pv), "$var(%s)", name);
	assert_int_equal(pvt_set_str(t, pv, value), 0);
}

static void test_s_basic(void **state)
{
	struct pvt *t = *state;

	var(t, "s", " Hello, World \t");
	var(t, "n", "12abc");
	assert_int_equal(pvt_set_int(t, "$var(i)", 42), 0);
	pvt_expect_int(t, "$(var(s){s.len})", 15); /* ref */
	pvt_expect_int(t, "$(var(i){s.len})", 2);  /* ref: an int is measured as text */
	pvt_expect_int(t, "$(var(e0){s.len})", 1); /* never set: int 0 */
	var(t, "e", "");
	pvt_expect_int(t, "$(var(e){s.len})", 0);
	pvt_expect_err(t, "$(avp(none){s.len})"); /* ref: null is an error */

	var(t, "a", "12");
	pvt_expect_int(t, "$(var(a){s.int})", 12);
	var(t, "a", "-5");
	pvt_expect_int(t, "$(var(a){s.int})", -5);
	var(t, "a", "+3");
	pvt_expect_int(t, "$(var(a){s.int})", 3);
	pvt_expect_int(t, "$(var(i){s.int})", 42);
	pvt_expect_err(t, "$(var(n){s.int})"); /* ref */
	var(t, "a", " 7");
	pvt_expect_err(t, "$(var(a){s.int})"); /* ref */

	/* ref: lowercase hex digests */
	pvt_expect_str(t, "$(var(n){s.md5})", "42c56c61ee49c16375960c809c6a3eb0");
	pvt_expect_str(t, "$(var(i){s.md5})", "a1d0c6e83f027327d8461063f4ac58a6");
	pvt_expect_str(t, "$(var(n){s.sha256})",
	               "7cfae5817b5ad58b9e6a58443f34fc6bdc9986cbade28315ff7e712e0463c297");
	pvt_expect_str(t, "$(var(e){s.md5})", "d41d8cd98f00b204e9800998ecf8427e");

	pvt_expect_str(t, "$(var(s){s.tolower})", " hello, world \t");
	pvt_expect_str(t, "$(var(s){s.toupper})", " HELLO, WORLD \t");
	pvt_expect_str(t, "$(var(i){s.toupper})", "42");
	pvt_expect_str(t, "$(var(s){s.trim})", "Hello, World");
	pvt_expect_str(t, "$(var(s){s.rtrim})", " Hello, World");
	pvt_expect_str(t, "$(var(s){s.ltrim})", "Hello, World \t");
	var(t, "ws", " \r\n\t");
	pvt_expect_str(t, "$(var(ws){s.trim})", "");
	pvt_expect_str(t, "$(var(n){s.numeric})", "12");
	pvt_expect_str(t, "$(var(s){s.numeric})", ""); /* ref: empty */
}

/* ref: substr offset/length, negative offset from the end, 0 = to the end */
static void test_s_cut(void **state)
{
	struct pvt *t = *state;

	var(t, "n", "12abc");
	var(t, "s", "Hello, World");
	pvt_expect_str(t, "$(var(n){s.substr,1,2})", "2a");
	pvt_expect_str(t, "$(var(n){s.substr,2,0})", "abc");
	pvt_expect_str(t, "$(var(n){s.substr,-3,2})", "ab");
	pvt_expect_str(t, "$(var(n){s.substr,1,50})", "2abc");
	pvt_expect_err(t, "$(var(n){s.substr,10,1})");
	pvt_expect_err(t, "$(var(n){s.substr,-6,1})");
	pvt_parse_err(t, "$(var(n){s.substr,1,-1})", "positive");
	pvt_parse_err(t, "$(var(n){s.substr,1})", "missing");
	pvt_parse_err(t, "$(var(n){s.substr,a,1})", "integer");
	pvt_parse_err(t, "$(var(n){s.substr,1,2,3})", "too many");
	/* arguments from variables */
	assert_int_equal(pvt_set_int(t, "$var(o)", 1), 0);
	assert_int_equal(pvt_set_int(t, "$var(l)", 3), 0);
	pvt_expect_str(t, "$(var(n){s.substr,$var(o),$var(l)})", "2ab");
	assert_int_equal(pvt_set_int(t, "$var(o)", 42), 0);
	pvt_expect_err(t, "$(var(n){s.substr,$var(o),1})"); /* ref: out of range */
	pvt_expect_str(t, "$(var(n){s.substr,$(var(l){s.int}),0})", "bc");

	pvt_expect_str(t, "$(var(n){s.strip,2})", "abc");
	pvt_expect_str(t, "$(var(n){s.striptail,2})", "12a");
	pvt_expect_str(t, "$(var(n){s.strip,9})", "");
	pvt_expect_str(t, "$(var(n){s.striptail,5})", "");
	pvt_expect_str(t, "$(var(n){s.strip,0})", "12abc");
	pvt_parse_err(t, "$(var(n){s.strip})", "missing");
	pvt_parse_err(t, "$(var(n){s.strip,x})", "integer");

	/* ref: one separator character, ',' included */
	var(t, "c", " Hello, World \t");
	pvt_expect_str(t, "$(var(c){s.select,1,,})", " World \t");
	pvt_expect_str(t, "$(var(c){s.select,0,,})", " Hello");
	pvt_expect_str(t, "$(var(c){s.select,-1,,})", " World \t");
	pvt_expect_str(t, "$(var(c){s.select,5,,})", ""); /* ref: empty */
	var(t, "p", "a;b;;d");
	pvt_expect_str(t, "$(var(p){s.select,2,;})", "");
	pvt_expect_str(t, "$(var(p){s.select,3,;})", "d");
	pvt_expect_str(t, "$(var(p){s.select,-4,;})", "a");
	pvt_parse_err(t, "$(var(p){s.select,1})", "separator");
	pvt_parse_err(t, "$(var(p){s.select,1,ab})", "separator");

	/* ref: first (r: last) occurrence of one character; absent: the whole string */
	pvt_expect_str(t, "$(var(s){s.before,lo})", "He");
	pvt_expect_str(t, "$(var(s){s.after,lo})", "lo, World");
	pvt_expect_str(t, "$(var(s){s.rbefore,o})", "Hello, W");
	pvt_expect_str(t, "$(var(s){s.rafter,o})", "rld");
	pvt_expect_str(t, "$(var(s){s.before,z})", "Hello, World");
	pvt_expect_str(t, "$(var(s){s.rafter,z})", "Hello, World");
	var(t, "ll", "ab,cd");
	pvt_expect_str(t, "$(var(ll){s.before,,})", "ab");
	pvt_expect_str(t, "$(var(ll){s.after,b,})", ",cd");
	pvt_parse_err(t, "$(var(ll){s.before})", "one character");

	pvt_expect_str(t, "$(var(s){s.replace,l,L})", "HeLLo, WorLd");
	pvt_expect_str(t, "$(var(s){s.replace,z,L})", "Hello, World");
	pvt_expect_str(t, "$(var(s){s.replace,ll,})", "Heo, World");
	pvt_expect_str(t, "$(var(s){s.replace,World,Kamailio users})", "Hello, Kamailio users");
	var(t, "r", "o");
	pvt_expect_str(t, "$(var(s){s.replace,$var(r),0})", "Hell0, W0rld");
	pvt_parse_err(t, "$(var(s){s.replace,,x})", "empty");
	pvt_parse_err(t, "$(var(s){s.replace,x})", "missing");

	/* ref */
	assert_int_equal(pvt_set_int(t, "$var(i)", 123), 0);
	pvt_expect_str(t, "$(var(i){s.prefixes})", "1,12,123");
	pvt_expect_str(t, "$(var(n){s.prefixes.quoted})", "'1','12','12a','12ab','12abc'");
	pvt_expect_str(t, "$(var(n){s.prefixes,2})", "1,12");
	pvt_expect_str(t, "$(var(n){s.prefixes.quoted,3})", "'1','12','12a'");
	var(t, "e", "");
	pvt_expect_str(t, "$(var(e){s.prefixes})", "");
}

static void test_s_codecs(void **state)
{
	struct pvt *t = *state;

	var(t, "n", "12abc");
	var(t, "h", "414243");
	/* ref */
	pvt_expect_str(t, "$(var(n){s.encode.hexa})", "3132616263");
	pvt_expect_str(t, "$(var(h){s.decode.hexa})", "ABC");
	var(t, "h", "4a4B");
	pvt_expect_str(t, "$(var(h){s.decode.hexa})", "JK");
	pvt_expect_err(t, "$(var(n){s.decode.hexa})"); /* odd length */
	var(t, "h", "zz");
	pvt_expect_err(t, "$(var(h){s.decode.hexa})");

	pvt_expect_str(t, "$(var(n){s.encode.base64})", "MTJhYmM=");
	pvt_expect_str(t, "$(var(n){s.encode.base64}{s.decode.base64})", "12abc");
	var(t, "b", "YQ==");
	pvt_expect_str(t, "$(var(b){s.decode.base64})", "a");
	var(t, "b", "YWI=");
	pvt_expect_str(t, "$(var(b){s.decode.base64})", "ab");
	var(t, "b", "YWJj");
	pvt_expect_str(t, "$(var(b){s.decode.base64})", "abc");
	var(t, "b", "");
	pvt_expect_str(t, "$(var(b){s.encode.base64})", "");
	pvt_expect_str(t, "$(var(b){s.decode.base64})", "");
	var(t, "b", "a'b\"c");
	pvt_expect_err(t, "$(var(b){s.decode.base64})");
	var(t, "b", "YW*j");
	pvt_expect_err(t, "$(var(b){s.decode.base64})");

	/* ref */
	var(t, "e", "a'b\"c\\d");
	pvt_expect_str(t, "$(var(e){s.escape.common})", "a\\'b\\\"c\\\\d");
	pvt_expect_str(t, "$(var(e){s.escape.common}{s.unescape.common})", "a'b\"c\\d");
	var(t, "e", "x\\ny");
	pvt_expect_str(t, "$(var(e){s.unescape.common})", "x\\ny");

	var(t, "u", "al ice@x;y=/:&=+$,?%41");
	pvt_expect_str(t, "$(var(u){s.escape.user})", "al%20ice%40x;y=%2f%3a&=+$,?%2541");
	pvt_expect_str(t, "$(var(u){s.escape.user}{s.unescape.user})", "al ice@x;y=/:&=+$,?%41");
	pvt_expect_str(t, "$(var(u){s.escape.param})", "al%20ice%40x%3by%3d/:&%3d+$%2c%3f%2541");
	pvt_expect_str(t, "$(var(u){s.escape.param}{s.unescape.param})", "al ice@x;y=/:&=+$,?%41");
	pvt_expect_str(t, "$(var(u){s.unescape.user})", "al ice@x;y=/:&=+$,?A");
	var(t, "u", "bad%4");
	pvt_expect_err(t, "$(var(u){s.unescape.user})");
	var(t, "u", "bad%zz");
	pvt_expect_err(t, "$(var(u){s.unescape.param})");
	var(t, "u", "%");
	pvt_expect_err(t, "$(var(u){s.unescape.user})");
}

static void test_s_ftime(void **state)
{
	struct pvt *t = *state;
	char want[64];
	struct tm tm;
	time_t ts = 1500000000;

	assert_int_equal(pvt_set_int(t, "$var(t)", 1500000000), 0);
	localtime_r(&ts, &tm);
	strftime(want, sizeof(want), "%Y-%m-%d %H:%M", &tm);
	pvt_expect_str(t, "$(var(t){s.ftime,%Y-%m-%d %H:%M})", want);
	var(t, "ts", "1500000000");
	pvt_expect_str(t, "$(var(ts){s.ftime,%Y-%m-%d %H:%M})", want);
	var(t, "ts", "soon");
	pvt_expect_err(t, "$(var(ts){s.ftime,%Y})");
	pvt_parse_err(t, "$(var(t){s.ftime})", "argument");
	pvt_parse_err(t, "$(var(t){s.nosuch})", "unknown transformation {s.*}");
	pvt_parse_err(t, "$(var(t){s.len,1})", "too many");
}

/* ref: absent parts are empty strings; a value that is not a URI is an error */
static void test_uri(void **state)
{
	struct pvt *t = *state;

	var(t, "u",
	    "sip:bob:pw@Example.com:5070;transport=TCP;lr;user=phone;ttl=10;"
	    "maddr=1.2.3.4;method=INVITE;r2=on;gr=abc;x=y?h1=a&h2=b");
	pvt_expect_str(t, "$(var(u){uri.user})", "bob");
	pvt_expect_str(t, "$(var(u){uri.host})", "Example.com");
	pvt_expect_str(t, "$(var(u){uri.domain})", "Example.com");
	pvt_expect_str(t, "$(var(u){uri.passwd})", "pw");
	pvt_expect_str(t, "$(var(u){uri.port})", "5070");
	pvt_expect_str(
	        t, "$(var(u){uri.params})",
	        "transport=TCP;lr;user=phone;ttl=10;maddr=1.2.3.4;method=INVITE;r2=on;gr=abc;x=y");
	pvt_expect_str(t, "$(var(u){uri.param,x})", "y");
	pvt_expect_str(t, "$(var(u){uri.param,TTL})", "10");
	pvt_expect_str(t, "$(var(u){uri.param,zz})", "");
	pvt_expect_str(t, "$(var(u){uri.headers})", "h1=a&h2=b");
	pvt_expect_str(t, "$(var(u){uri.transport})", "TCP");
	pvt_expect_str(t, "$(var(u){uri.ttl})", "10");
	pvt_expect_str(t, "$(var(u){uri.uparam})", "phone");
	pvt_expect_str(t, "$(var(u){uri.maddr})", "1.2.3.4");
	pvt_expect_str(t, "$(var(u){uri.method})", "INVITE");
	pvt_expect_str(t, "$(var(u){uri.lr})", "");
	pvt_expect_str(t, "$(var(u){uri.r2})", "on");
	pvt_expect_str(t, "$(var(u){uri.scheme})", "sip");
	var(t, "p", "x");
	pvt_expect_str(t, "$(var(u){uri.param,$var(p)})", "y");

	var(t, "u2", "sips:carol@chicago.com");
	pvt_expect_str(t, "$(var(u2){uri.user})", "carol");
	pvt_expect_str(t, "$(var(u2){uri.port})", "");
	pvt_expect_str(t, "$(var(u2){uri.passwd})", "");
	pvt_expect_str(t, "$(var(u2){uri.params})", "");
	pvt_expect_str(t, "$(var(u2){uri.transport})", "");
	pvt_expect_str(t, "$(var(u2){uri.headers})", "");
	pvt_expect_str(t, "$(var(u2){uri.scheme})", "sips");
	pvt_expect_int(t, "$(var(u2){uri.port}{s.len})", 0);
	var(t, "u3", "tel:+12345;phone-context=x");
	pvt_expect_str(t, "$(var(u3){uri.user})", "+12345");
	pvt_expect_str(t, "$(var(u3){uri.host})", "");
	pvt_expect_str(t, "$(var(u3){uri.scheme})", "tel");
	var(t, "bad", "not a uri");
	pvt_expect_err(t, "$(var(bad){uri.user})");
	pvt_expect_err(t, "$(avp(none){uri.user})");
	assert_int_equal(pvt_set_int(t, "$var(i)", 5), 0);
	pvt_expect_err(t, "$(var(i){uri.user})");

	pvt_expect_str(t, "$(ru{uri.host})", "example.com");
	pvt_expect_str(t, "$(fu{uri.user})", "a");

	pvt_parse_err(t, "$(var(u){uri.gr})", "unknown transformation {uri.*}");
	pvt_parse_err(t, "$(var(u){uri.user,x})", "no argument");
	pvt_parse_err(t, "$(var(u){uri.param})", "missing");
	pvt_parse_err(t, "$(var(u){uri.param,})", "one parameter name");
}

/* ref */
static void test_param(void **state)
{
	struct pvt *t = *state;

	var(t, "p", "a=1;b=2; c = 3 ;d;e=");
	pvt_expect_str(t, "$(var(p){param.value,b})", "2");
	pvt_expect_str(t, "$(var(p){param.value,c})", "3");
	pvt_expect_str(t, "$(var(p){param.value,C})", "3");
	pvt_expect_str(t, "$(var(p){param.value,d})", "");
	pvt_expect_str(t, "$(var(p){param.value,z})", "");
	pvt_expect_str(t, "$(var(p){param.valueat,1})", "2");
	pvt_expect_str(t, "$(var(p){param.valueat,-1})", "");
	pvt_expect_str(t, "$(var(p){param.valueat,-3})", "3");
	pvt_expect_str(t, "$(var(p){param.name,2})", "c");
	pvt_expect_str(t, "$(var(p){param.name,-1})", "e");
	pvt_expect_str(t, "$(var(p){param.name,9})", "");
	pvt_expect_str(t, "$(var(p){param.name,-9})", "");
	pvt_expect_int(t, "$(var(p){param.count})", 5);
	pvt_expect_int(t, "$(var(p){param.in,d})", 1);
	pvt_expect_int(t, "$(var(p){param.in,z})", 0);
	var(t, "q", "a=1&b=2");
	pvt_expect_str(t, "$(var(q){param.value,b,&})", "2");
	pvt_expect_int(t, "$(var(q){param.count,&})", 2);
	pvt_expect_int(t, "$(var(q){param.count})", 1);
	var(t, "qq", "a=\"x;y\";b=2");
	pvt_expect_str(t, "$(var(qq){param.value,a})", "\"x;y\"");
	var(t, "e", "");
	pvt_expect_int(t, "$(var(e){param.count})", 0);
	var(t, "n", "b");
	pvt_expect_str(t, "$(var(p){param.value,$var(n)})", "2");
	pvt_expect_err(t, "$(avp(none){param.count})");

	pvt_parse_err(t, "$(var(p){param.value,b,,})", "separator");
	pvt_parse_err(t, "$(var(p){param.value,b,ab})", "separator");
	pvt_parse_err(t, "$(var(p){param.value})", "missing");
	pvt_parse_err(t, "$(var(p){param.valueat,x})", "integer");
	pvt_parse_err(t, "$(var(p){param.nope})", "unknown transformation {param.*}");
}

/* ref */
static void test_nameaddr_tobody(void **state)
{
	struct pvt *t = *state;

	var(t, "na", "\"Alice\" <sip:alice@atlanta.com;transport=tcp>;tag=abc");
	var(t, "na2", "sip:bob@b.com");
	pvt_expect_str(t, "$(var(na){nameaddr.name})", "\"Alice\" ");
	pvt_expect_str(t, "$(var(na){nameaddr.uri})", "sip:alice@atlanta.com;transport=tcp");
	pvt_expect_int(t, "$(var(na){nameaddr.len})", 45);
	pvt_expect_str(t, "$(var(na2){nameaddr.name})", "");
	pvt_expect_str(t, "$(var(na2){nameaddr.uri})", "sip:bob@b.com");
	pvt_expect_int(t, "$(var(na2){nameaddr.len})", 13);
	var(t, "bad", "\"unterminated <sip:a@b>");
	pvt_expect_err(t, "$(var(bad){nameaddr.uri})");
	var(t, "bad", "<sip:a@b");
	pvt_expect_err(t, "$(var(bad){nameaddr.uri})");

	pvt_expect_str(t, "$(var(na){tobody.uri})", "sip:alice@atlanta.com;transport=tcp");
	pvt_expect_str(t, "$(var(na){tobody.display})", "\"Alice\"");
	pvt_expect_str(t, "$(var(na){tobody.tag})", "abc");
	pvt_expect_str(t, "$(var(na){tobody.user})", "alice");
	pvt_expect_str(t, "$(var(na){tobody.host})", "atlanta.com");
	pvt_expect_str(t, "$(var(na){tobody.params})", "tag=abc");
	pvt_expect_str(t, "$(var(na2){tobody.tag})", "");
	pvt_expect_str(t, "$(var(na2){tobody.params})", "");
	pvt_expect_str(t, "$(var(na2){tobody.display})", "");
	var(t, "bad", "no uri here");
	pvt_expect_err(t, "$(var(bad){tobody.uri})");
	pvt_expect_str(t, "$(hdr(To){tobody.user})", "x");

	pvt_parse_err(t, "$(var(na){nameaddr.tag})", "unknown transformation {nameaddr.*}");
	pvt_parse_err(t, "$(var(na){tobody.name})", "unknown transformation {tobody.*}");
	pvt_parse_err(t, "$(var(na){tobody.uri,1})", "no argument");
}

/* ref */
static void test_line(void **state)
{
	struct pvt *t = *state;

	var(t, "l", "line one\nline two\r\nthird");
	pvt_expect_int(t, "$(var(l){line.count})", 3);
	pvt_expect_str(t, "$(var(l){line.at,0})", "line one");
	pvt_expect_str(t, "$(var(l){line.at,1})", "line two");
	pvt_expect_str(t, "$(var(l){line.at,-1})", "third");
	pvt_expect_str(t, "$(var(l){line.at,-3})", "line one");
	pvt_expect_str(t, "$(var(l){line.at,9})", "");
	pvt_expect_str(t, "$(var(l){line.at,-4})", "");
	pvt_expect_str(t, "$(var(l){line.sw,line t})", "line two");
	pvt_expect_str(t, "$(var(l){line.sw,zz})", "");
	var(t, "l2", "a\nb\n");
	pvt_expect_int(t, "$(var(l2){line.count})", 2);
	var(t, "l3", "");
	pvt_expect_int(t, "$(var(l3){line.count})", 0);
	pvt_expect_int(t, "$(msg(hdrs){line.count})", 6);
	pvt_expect_str(t, "$(msg(hdrs){line.sw,CSeq:})", "CSeq: 1 OPTIONS");

	pvt_parse_err(t, "$(var(l){line.at})", "missing");
	pvt_parse_err(t, "$(var(l){line.at,x})", "integer");
	pvt_parse_err(t, "$(var(l){line.count,1})", "no argument");
	pvt_parse_err(t, "$(var(l){line.nope})", "unknown transformation {line.*}");
}

/* ref: chains apply left to right, each on the result of the previous */
static void test_chains(void **state)
{
	struct pvt *t = *state;

	var(t, "s", " Hello, World \t");
	pvt_expect_int(t, "$(var(s){s.trim}{s.tolower}{s.len})", 12);
	pvt_expect_str(t, "$(var(s){s.trim}{s.select,1,,}{s.trim}{s.toupper})", "WORLD");
	pvt_expect_str(t, "$(hdr(From){tobody.uri}{uri.user}{s.toupper})", "A");
	pvt_expect_int(t, "$(hdr(Via){param.value,branch}{s.len})", 9);
	pvt_expect_str(t, "$(ru{uri.user}{s.encode.hexa}{s.decode.hexa})", "x");
	pvt_expect_int(t, "$(rp{s.len})", 4); /* ref: an int is measured as text */
	pvt_expect_int(t, "$(cs{s.len})", 1);
	/* an error in the middle ends the chain */
	pvt_expect_err(t, "$(var(s){s.int}{s.len})");
	pvt_parse_err(t, "$(var(s){s.len}{s.nope})", "unknown transformation {s.*}");
	pvt_parse_err(t, "$(var(s){zz.len})", "unknown transformation");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_s_basic, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_s_cut, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_s_codecs, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_s_ftime, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_uri, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_param, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_nameaddr_tobody, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_line, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_chains, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
