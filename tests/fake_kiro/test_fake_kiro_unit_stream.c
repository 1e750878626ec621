/* test_fake_kiro_unit_stream.c: the stream faults of fake-kiro (truncate, malformed, exception,
 * slow streams ended by a stop request), driven through the MHD reader callback directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventstream/eventstream.h"
#include "fk_events.h"
#include "shutdown.h"
#include "stream.h"

/* 48 bytes: three 16-byte text frames, then metering and context usage. */
#define REPLY_TEXT "0123456789abcdef0123456789abcdef0123456789abcdef"

typedef struct fixture {
    fk_shutdown shutdown;
    fk_assistant_settings settings;
    fk_stream *stream;
    kbuf bytes;  /* everything the reader handed out */
    ssize_t end; /* how it ended: END_OF_STREAM or END_WITH_ERROR */
    fk_events events;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || fk_shutdown_init(&f->shutdown) != 0)
        return -1;
    f->settings.frame_bytes = 16;
    kbuf_init(&f->bytes, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fk_stream_free(f->stream);
    fk_events_free(&f->events);
    kbuf_free(&f->bytes);
    fk_shutdown_destroy(&f->shutdown);
    free(f);
    return 0;
}

static void start(fixture *f)
{
    fk_reply r;
    memset(&r, 0, sizeof r);
    kbuf_init(&r.text, 0);
    kbuf_append_str(&r.text, REPLY_TEXT);
    f->stream = fk_stream_new(&r, &f->settings, 100, &f->shutdown, -1);
    assert_non_null(f->stream);
}

/* Reads the whole stream in 5-byte pieces (frames are handed out in parts), then decodes it. */
static void drain(fixture *f)
{
    char buf[5];
    for (int guard = 0; guard < 100000; guard++) {
        ssize_t n = fk_stream_read(f->stream, 0, buf, sizeof buf);
        if (n < 0) {
            f->end = n;
            assert_int_equal(fk_events_decode(&f->events, f->bytes.data, f->bytes.len, 3), 0);
            return;
        }
        assert_int_equal(kbuf_append(&f->bytes, buf, (size_t)n), KBUF_OK);
    }
    fail_msg("stream never ended");
}

static void test_clean_stream(void **state)
{
    fixture *f = *state;
    start(f);
    drain(f);
    assert_int_equal(f->end, MHD_CONTENT_READER_END_OF_STREAM);
    assert_int_equal(f->events.feed_rc, ES_OK);
    assert_int_equal(f->events.finish_rc, ES_OK);
    assert_int_equal(fk_events_count(&f->events, "assistantResponseEvent"), 3);
    char *text = fk_events_text(&f->events);
    assert_string_equal(text, REPLY_TEXT);
    free(text);
    assert_int_equal(fk_stream_outcome_of(f->stream, 1), FK_STREAM_COMPLETED);
    assert_int_equal(fk_stream_outcome_of(f->stream, 0), FK_STREAM_ABORTED);
}

static void test_malformed_sends_a_bad_crc_then_ends(void **state)
{
    fixture *f = *state;
    f->settings.faulted = 1;
    f->settings.malformed = 1;
    start(f);
    drain(f);
    assert_int_equal(f->end, MHD_CONTENT_READER_END_OF_STREAM);
    assert_int_equal(f->events.feed_rc, ES_ERR_MESSAGE_CRC);
    assert_int_equal(f->events.count, FK_FAULT_AFTER_FRAMES);
}

static void test_truncate_sends_half_a_frame_then_cuts(void **state)
{
    fixture *f = *state;
    f->settings.faulted = 1;
    f->settings.truncate = 1;
    start(f);
    drain(f);
    assert_int_equal(f->end, MHD_CONTENT_READER_END_WITH_ERROR);
    assert_int_equal(fk_stream_outcome_of(f->stream, 0), FK_STREAM_CUT);
    assert_int_equal(f->events.feed_rc, ES_OK);
    assert_int_equal(f->events.finish_rc, ES_ERR_TRUNCATED);
    assert_int_equal(f->events.count, FK_FAULT_AFTER_FRAMES);
}

static void test_exception_frame_after_some_text(void **state)
{
    fixture *f = *state;
    f->settings.faulted = 1;
    snprintf(f->settings.exception, sizeof f->settings.exception,
             "ContentLengthExceededException");
    start(f);
    drain(f);
    assert_int_equal(f->end, MHD_CONTENT_READER_END_OF_STREAM);
    assert_int_equal(f->events.feed_rc, ES_OK);
    assert_int_equal(f->events.count, FK_FAULT_AFTER_FRAMES + 1);
    const fk_event *last = &f->events.items[f->events.count - 1];
    assert_string_equal(last->message_type, "exception");
    assert_string_equal(last->exception_type, "ContentLengthExceededException");
}

static void test_faults_need_the_faulted_flag(void **state)
{
    fixture *f = *state;
    f->settings.truncate = 1; /* fail_count used up: the config leaves faulted at 0 */
    start(f);
    drain(f);
    assert_int_equal(f->end, MHD_CONTENT_READER_END_OF_STREAM);
    assert_int_equal(f->events.finish_rc, ES_OK);
}

static void test_stop_request_ends_a_slow_stream(void **state)
{
    fixture *f = *state;
    f->settings.faulted = 1;
    f->settings.slow_ms = 60000;
    start(f);
    char buf[4096];
    assert_true(fk_stream_read(f->stream, 0, buf, sizeof buf) > 0); /* first frame: no pause */
    fk_shutdown_request(&f->shutdown);
    /* the 60 s pause before the second frame ends at once */
    assert_int_equal(fk_stream_read(f->stream, 0, buf, sizeof buf),
                     MHD_CONTENT_READER_END_WITH_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clean_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_sends_a_bad_crc_then_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_sends_half_a_frame_then_cuts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_exception_frame_after_some_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults_need_the_faulted_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_request_ends_a_slow_stream, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
