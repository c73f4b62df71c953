/* FreeRTOS configuration of the RTOS image (firmware/rtos/main.c) on QEMU's mps2-an386, a Cortex-M4F
 * at 25 MHz. Preemptive, time-sliced (tasks of one priority share the core a tick at a time), with
 * mutexes that lend their holder the priority of the highest task waiting (priority inheritance):
 * the library's locks (extism_x_set_lock). The kernel's heap is heap_5 over the region the board's
 * linker script leaves between .bss and the main stack (firmware/mps2-an386.ld). */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#include <stdint.h>

#define configCPU_CLOCK_HZ 25000000u
#define configTICK_RATE_HZ 1000u
#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION 1
#define configUSE_TICKLESS_IDLE 0
#define configMAX_PRIORITIES 6
#define configMINIMAL_STACK_SIZE 256
#define configMAX_TASK_NAME_LEN 12
#define configTICK_TYPE_WIDTH_IN_BITS TICK_TYPE_WIDTH_32_BITS
#define configIDLE_SHOULD_YIELD 1
#define configUSE_TASK_NOTIFICATIONS 1
#define configUSE_MUTEXES 1
#define configUSE_RECURSIVE_MUTEXES 0
#define configUSE_COUNTING_SEMAPHORES 0
#define configQUEUE_REGISTRY_SIZE 0
#define configUSE_QUEUE_SETS 0
#define configUSE_NEWLIB_REENTRANT 0
#define configENABLE_BACKWARD_COMPATIBILITY 0
#define configUSE_TIMERS 0
#define configUSE_CO_ROUTINES 0
#define configUSE_EVENT_GROUPS 0
#define configUSE_STREAM_BUFFERS 0

/* Memory: dynamic allocation only, heap_5 (regions given at start-up by main.c). */
#define configSUPPORT_STATIC_ALLOCATION 0
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configTOTAL_HEAP_SIZE 0 /* heap_5: the regions decide */
#define configAPPLICATION_ALLOCATED_HEAP 0

/* Hooks and checks: a failed allocation, a stack overflow or an assertion ends the run with a line. */
#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configUSE_MALLOC_FAILED_HOOK 0 /* the library's heap hook returns NULL: the library decides */
#define configCHECK_FOR_STACK_OVERFLOW 2
#define configUSE_TRACE_FACILITY 0
#define configGENERATE_RUN_TIME_STATS 0
void rtos_assert_failed(const char *file, int line);
#define configASSERT(x)                          \
  do {                                           \
    if (!(x))                                    \
      rtos_assert_failed(__FILE__, __LINE__);    \
  } while (0)

/* Interrupt priorities: the MPS2's NVIC has 3 priority bits (QEMU may model more). The kernel's
 * interrupts run at the lowest priority; none of ours calls the kernel from a higher one. */
#define configPRIO_BITS 3
#define configLIBRARY_LOWEST_INTERRUPT_PRIORITY 7
#define configLIBRARY_MAX_SYSCALL_INTERRUPT_PRIORITY 5
#define configKERNEL_INTERRUPT_PRIORITY (configLIBRARY_LOWEST_INTERRUPT_PRIORITY << (8 - configPRIO_BITS))
#define configMAX_SYSCALL_INTERRUPT_PRIORITY (configLIBRARY_MAX_SYSCALL_INTERRUPT_PRIORITY << (8 - configPRIO_BITS))

/* The board's vector table (firmware/mps2-an386.c) names the SVC and PendSV handlers; SysTick goes
 * through its tick hook (main.c calls xPortSysTickHandler). */
#define vPortSVCHandler SVC_Handler
#define xPortPendSVHandler PendSV_Handler

#define INCLUDE_vTaskPrioritySet 1
#define INCLUDE_uxTaskPriorityGet 1
#define INCLUDE_vTaskDelete 1
#define INCLUDE_vTaskSuspend 1
#define INCLUDE_vTaskDelay 1
#define INCLUDE_xTaskDelayUntil 1
#define INCLUDE_xTaskGetCurrentTaskHandle 1
#define INCLUDE_uxTaskGetStackHighWaterMark 1
#define INCLUDE_xTaskGetSchedulerState 1
#define INCLUDE_eTaskGetState 1

#endif
