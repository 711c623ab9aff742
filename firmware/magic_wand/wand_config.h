// Build-time settings of the wand sketch. Edit, then compile and upload.
#pragma once

// 1: Nano 33 BLE Sense (Rev1, LSM9DS1 IMU)   2: Nano 33 BLE Sense Rev2 (BMI270 + BMM150)
#ifndef WAND_BOARD_REV
#define WAND_BOARD_REV 1
#endif

// BLE name the wand advertises (give each wand its own to bind profiles per wand).
#ifndef WAND_NAME
#define WAND_NAME "magic-wand"
#endif

// Optional battery sense: a LiPo through a 1:1 divider into this analog pin. The board
// has no fuel gauge of its own; leave undefined to report the battery as unknown.
// #define WAND_BATTERY_PIN A7
