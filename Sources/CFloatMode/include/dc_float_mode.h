// The CPU's handling of subnormal floats, per thread. TensorFlow runs its kernels with
// subnormals flushed to zero (inputs and results); so does the engine, which also avoids
// the slow path some CPUs take on subnormal operands (trained weights can hold thousands).
#ifndef DOGCAT_FLOAT_MODE_H
#define DOGCAT_FLOAT_MODE_H

// Turns flushing on for the calling thread; returns the previous mode for dc_restore_float_mode.
unsigned long dc_flush_subnormals(void);
void dc_restore_float_mode(unsigned long previous);

#endif
