/* Step 9 of the firmware: plugins' HTTP served by the host's handler (http_table.c). */
#ifndef FIRMWARE_HTTP_TABLE_H
#define FIRMWARE_HTTP_TABLE_H

/* A plugin fetches URLs; the image's HTTP handler (extism_x_set_http_handler) serves them from a
 * table in flash, standing in for the board's network stack: answered at once in plain calls, and
 * later, from the main loop, in a stepped call. Call with no plugin alive. */
void http_table_step(void);

#endif
