/* The messages textops' tests start from, written with "\n" for CRLF (tx_load). */
#ifndef KSR_TEST_MODULES_TEXTOPS_MSGS_H
#define KSR_TEST_MODULES_TEXTOPS_MSGS_H

#define L1 "INVITE sip:bob@example.com SIP/2.0\n"
#define VIA "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\n"
#define FROM "From: \"Alice\" <sip:alice@example.com>;tag=a1\n"
#define TO "To: <sip:bob@example.com>\n"
#define CID "Call-ID: c1@example.com\n"
#define CSEQ "CSeq: 1 INVITE\n"
#define SUP "Supported: path, 100rel\n"
#define XFOO "X-Foo: a, b, c\nX-Foo: d\n"
#define CT "c: application/sdp\n"
#define CL "Content-Length: 10\n"
#define BODY "v=0\ns=-\n"
/* an INVITE with an SDP body of 10 bytes */
#define REQ L1 VIA FROM TO CID CSEQ SUP XFOO CT CL "\n" BODY

#define OPT_L1 "OPTIONS sip:bob@example.com SIP/2.0\n"
#define OPT_CSEQ "CSeq: 2 OPTIONS\n"
#define CL0 "Content-Length: 0\n"
/* an OPTIONS without a body */
#define OPT OPT_L1 VIA FROM TO CID OPT_CSEQ CL0 "\n"

#define RPL_L1 "SIP/2.0 200 OK\n"
/* a 200 to the INVITE */
#define RPL RPL_L1 VIA FROM "To: <sip:bob@example.com>;tag=b1\n" CID CSEQ CL0 "\n"

#endif
