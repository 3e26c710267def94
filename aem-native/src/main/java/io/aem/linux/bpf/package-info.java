/**
 * Kernel events that no file-descriptor interface reports — file locks, chmod and chown calls,
 * every process exit of the system — produced by the CO-RE eBPF programs of {@code aem-kernel},
 * loaded with libbpf ({@code libbpf.so.1}) through JNA and read from their ring buffers on the
 * event loop. {@code tp_btf} programs first, their classic-tracepoint twins as fallback. Start at {@link io.aem.linux.bpf.BpfStreams}.
 */
package io.aem.linux.bpf;
